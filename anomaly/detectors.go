package anomaly

import (
	"cmp"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"sort"
	"strconv"
)

// refsOf names up to ten records of kind by id.
func refsOf(kind string, ids []int64) []string {
	var out []string
	for i, id := range ids {
		if i == 10 {
			break
		}
		out = append(out, kind+":"+strconv.FormatInt(id, 10))
	}
	return out
}

// identicalFixes: groups of fixes with the very same WGS-84 coordinates
// and accuracy on two or more dates. Real receivers scatter by metres; an
// identical fix on another day is a replayed one.
func identicalFixes(c Cadre, r Rules) *Anomaly {
	type fix struct{ lat, lon, acc float64 }
	dates := map[fix]map[string]bool{}
	ids := map[fix][]int64{}
	for _, f := range c.Fixes {
		k := fix{f.WGSLat, f.WGSLon, f.AccuracyM}
		if dates[k] == nil {
			dates[k] = map[string]bool{}
		}
		dates[k][f.Date] = true
		ids[k] = append(ids[k], f.CheckInID)
	}
	groups, most := 0, 0
	var refs []int64
	for k, ds := range dates {
		if len(ds) >= 2 {
			groups++
			most = max(most, len(ds))
			refs = append(refs, ids[k]...)
		}
	}
	if groups == 0 {
		return nil
	}
	slices.Sort(refs)
	return &Anomaly{Kind: IdenticalFixes, Count: groups, Value: float64(most), Limit: 2, Refs: refsOf("checkin", refs),
		Detail: fmt.Sprintf("%d fixes repeated exactly on different days, one on %d days", groups, most)}
}

// nearBoundary: a large share of INSIDE fixes whose accuracy circle ends
// within the margin of the region's edge — just enough to count.
func nearBoundary(c Cadre, r Rules) *Anomaly {
	inside, near := 0, 0
	var refs []int64
	for _, f := range c.Fixes {
		if f.Verdict != "INSIDE" {
			continue
		}
		inside++
		if f.EdgeDistanceM-f.AccuracyM < r.BoundaryMarginM {
			near++
			refs = append(refs, f.CheckInID)
		}
	}
	if near < r.BoundaryMin || float64(near) < r.BoundaryShare*float64(inside) {
		return nil
	}
	share := float64(near) / float64(inside)
	return &Anomaly{Kind: NearBoundary, Count: near, Of: inside, Value: share, Limit: r.BoundaryShare, Refs: refsOf("checkin", refs),
		Detail: fmt.Sprintf("%d of %d counting fixes (%.0f%%) end less than %.0f m inside the region's edge", near, inside, 100*share, r.BoundaryMarginM)}
}

// deviceChanges: many devices bound in the period.
func deviceChanges(c Cadre, r Rules) *Anomaly {
	n := len(c.Devices)
	if n < r.MaxDevices {
		return nil
	}
	return &Anomaly{Kind: DeviceChanges, Count: n, Value: float64(n), Limit: float64(r.MaxDevices),
		Detail: fmt.Sprintf("%d devices bound in the period", n)}
}

// exactSpan: counted days whose first and last check-ins are just the
// rule's span apart, again and again — the minimum, to the minute.
func exactSpan(c Cadre, r Rules) *Anomaly {
	counted, exact := 0, 0
	var dates []string
	for _, d := range c.Days {
		if !d.Counted {
			continue
		}
		counted++
		if span := d.Last.Sub(d.First); span >= r.Span && span <= r.Span+r.SpanSlack {
			exact++
			dates = append(dates, d.Date)
		}
	}
	if exact < r.SpanMinDays || float64(exact) < r.SpanShare*float64(counted) {
		return nil
	}
	share := float64(exact) / float64(counted)
	var refs []string
	for i, d := range dates {
		if i == 10 {
			break
		}
		refs = append(refs, "day:"+d)
	}
	return &Anomaly{Kind: ExactSpan, Count: exact, Of: counted, Value: share, Limit: r.SpanShare, Refs: refs,
		Detail: fmt.Sprintf("%d of %d counted days (%.0f%%) span %s to %s between first and last check-in", exact, counted, 100*share,
			r.Span, r.Span+r.SpanSlack)}
}

// endOfDayBursts: days with several activities dated within a short
// window after the day's end hour — written up together, not done then.
func endOfDayBursts(c Cadre, r Rules) *Anomaly {
	byDate := map[string][]Activity{}
	for _, a := range c.Activities {
		t := a.OccurredAt.In(r.Location)
		if t.Hour() >= r.BurstAfter {
			byDate[t.Format("2006-01-02")] = append(byDate[t.Format("2006-01-02")], a)
		}
	}
	days, largest := 0, 0
	var refs []int64
	for _, acts := range byDate {
		slices.SortFunc(acts, func(a, b Activity) int { return a.OccurredAt.Compare(b.OccurredAt) })
		best, at := 0, 0
		for i := range acts {
			j := i
			for j < len(acts) && acts[j].OccurredAt.Sub(acts[i].OccurredAt) <= r.BurstWindow {
				j++
			}
			if j-i > best {
				best, at = j-i, i
			}
		}
		if best >= r.BurstSize {
			days++
			largest = max(largest, best)
			for _, a := range acts[at : at+best] {
				refs = append(refs, a.ID)
			}
		}
	}
	if days == 0 {
		return nil
	}
	slices.Sort(refs)
	return &Anomaly{Kind: EndOfDayBursts, Count: days, Value: float64(largest), Limit: float64(r.BurstSize), Refs: refsOf("activity", refs),
		Detail: fmt.Sprintf("%d days with %d or more activities within %s after %02d:00, at most %d", days, r.BurstSize, r.BurstWindow,
			r.BurstAfter, largest)}
}

// MakeUpsAboveNorm flags cadres whose make-up requests in the period
// exceed their unit's norm: more than MakeUpFactor times the median of the
// unit's cadres (every cadre of unitOf counted, zero when it has none) and
// at least MakeUpMin. counts and unitOf are by user id.
func MakeUpsAboveNorm(counts map[int64]int, unitOf map[int64]int64, r Rules) []Anomaly {
	units := map[int64][]int{}
	for u, unit := range unitOf {
		units[unit] = append(units[unit], counts[u])
	}
	median := map[int64]float64{}
	for unit, ns := range units {
		slices.Sort(ns)
		m := len(ns) / 2
		median[unit] = float64(ns[m])
		if len(ns)%2 == 0 {
			median[unit] = float64(ns[m-1]+ns[m]) / 2
		}
	}
	var out []Anomaly
	for _, u := range slices.Sorted(maps.Keys(unitOf)) {
		n, norm := counts[u], median[unitOf[u]]
		limit := max(r.MakeUpFactor*norm, float64(r.MakeUpMin))
		if float64(n) >= limit && float64(n) > r.MakeUpFactor*norm {
			out = append(out, Anomaly{Kind: MakeUps, UserID: u, Count: n, Value: float64(n), Limit: limit,
				Detail: fmt.Sprintf("%d make-up requests; the unit's median is %g", n, norm)})
		}
	}
	return out
}

// Reused finds photos in more than one activity — the same SHA-256, or
// perceptual hashes at most PHashDistance bits apart — and gives every
// cadre whose activity holds one an anomaly naming the activities. Near
// pairs are found through an index of five 13-bit chunks: two hashes at
// most 4 bits apart agree on at least one chunk.
func Reused(photos []Photo, r Rules) []Anomaly {
	n := len(photos)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if photos[a].ActivityID != photos[b].ActivityID {
			parent[find(a)] = find(b)
		}
	}
	bySHA := map[string]int{}
	for i, p := range photos {
		if j, ok := bySHA[p.SHA256]; ok {
			union(i, j)
		} else {
			bySHA[p.SHA256] = i
		}
	}
	dist := min(r.PHashDistance, 4)
	buckets := map[[2]uint64][]int{}
	for i, p := range photos {
		if p.PHash == nil || bySHA[p.SHA256] != i {
			continue
		}
		for c := uint64(0); c < 5; c++ {
			key := [2]uint64{c, (*p.PHash >> (13 * c)) & 0x1fff}
			for _, j := range buckets[key] {
				if bits.OnesCount64(*p.PHash^*photos[j].PHash) <= dist {
					union(i, j)
				}
			}
			buckets[key] = append(buckets[key], i)
		}
	}
	groups := map[int][]int{}
	for i := range photos {
		groups[find(i)] = append(groups[find(i)], i)
	}
	type hit struct {
		activities map[int64]bool
		photos     map[string]bool
		others     map[int64]bool // other activities in the groups
	}
	perUser := map[int64]*hit{}
	for _, g := range groups {
		acts := map[int64]bool{}
		for _, i := range g {
			acts[photos[i].ActivityID] = true
		}
		if len(acts) < 2 {
			continue
		}
		for _, i := range g {
			p := photos[i]
			h := perUser[p.UserID]
			if h == nil {
				h = &hit{activities: map[int64]bool{}, photos: map[string]bool{}, others: map[int64]bool{}}
				perUser[p.UserID] = h
			}
			h.photos[p.SHA256] = true
			for a := range acts {
				h.others[a] = true
			}
		}
	}
	var out []Anomaly
	for _, u := range slices.Sorted(maps.Keys(perUser)) {
		h := perUser[u]
		acts := slices.Sorted(maps.Keys(h.others))
		shas := slices.Sorted(maps.Keys(h.photos))
		refs := refsOf("activity", acts)
		for i, s := range shas {
			if i == 10 {
				break
			}
			refs = append(refs, "photo:"+s)
		}
		out = append(out, Anomaly{Kind: ReusedPhotos, UserID: u, Count: len(shas), Value: float64(len(acts)), Limit: 2, Refs: refs,
			Detail: fmt.Sprintf("%d photos appear in %d activities (the same file or a near-identical image)", len(shas), len(acts))})
	}
	return out
}

// Risk is a cadre's risk: the score that ranks what to sample next, and
// what it is made of.
type Risk struct {
	UserID        int64
	Score         float64
	Anomalies     []Anomaly
	Discrepancies int // earlier DISCREPANCY findings
}

// Rank sums each cadre's anomalies — its kind's weight times its count,
// the count capped at 5 — and its earlier discrepancies
// (DiscrepancyWeight each), and orders cadres by score, highest first
// (ties by user id). Cadres with neither are left out.
func Rank(anomalies []Anomaly, discrepancies map[int64]int, r Rules) []Risk {
	by := map[int64]*Risk{}
	get := func(u int64) *Risk {
		if by[u] == nil {
			by[u] = &Risk{UserID: u}
		}
		return by[u]
	}
	for _, a := range anomalies {
		k := get(a.UserID)
		k.Anomalies = append(k.Anomalies, a)
		k.Score += r.Weights[a.Kind] * float64(min(a.Count, 5))
	}
	for u, n := range discrepancies {
		if n > 0 {
			k := get(u)
			k.Discrepancies = n
			k.Score += r.DiscrepancyWeight * float64(n)
		}
	}
	out := make([]Risk, 0, len(by))
	for _, k := range by {
		order := map[Kind]int{}
		for i, kind := range Kinds() {
			order[kind] = i
		}
		sort.SliceStable(k.Anomalies, func(i, j int) bool { return order[k.Anomalies[i].Kind] < order[k.Anomalies[j].Kind] })
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b Risk) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.UserID, b.UserID)) })
	return out
}
