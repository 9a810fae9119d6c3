package verdict

import (
	"encoding/json"

	"github.com/henan-youth/onsite/compliance"
	"github.com/henan-youth/onsite/models"
	"github.com/henan-youth/onsite/presence"
)

// A stored verdict's results are JSON with short names, dates as text and
// zero numbers left out: about half the bytes of compliance.Result's own
// encoding, which a unit's export reads for every cadre. Slices are kept as
// they are (an empty list is not a missing one), so a verdict read back
// equals the one judged.

type storedResult struct {
	Rule          string         `json:"r"`
	Item          string         `json:"i,omitempty"`
	RegionID      int64          `json:"g,omitempty"`
	Period        string         `json:"p"`
	First         string         `json:"f,omitempty"`
	Last          string         `json:"l,omitempty"`
	Status        string         `json:"s"`
	Numbers       []storedNumber `json:"n"`
	CoveredDays   int            `json:"c,omitempty"`
	PeriodDays    int            `json:"pd,omitempty"`
	DaysLeft      int            `json:"dl,omitempty"`
	MadeUpDays    int            `json:"mu,omitempty"`
	Due           string         `json:"d,omitempty"`
	PolicyVersion string         `json:"v,omitempty"`
	Message       string         `json:"m,omitempty"`
	MessageEN     string         `json:"e,omitempty"`
	Gaps          []string       `json:"x"`
}

type storedNumber struct {
	Name     string `json:"n"`
	Label    string `json:"l,omitempty"`
	LabelEN  string `json:"e,omitempty"`
	Unit     string `json:"u,omitempty"`
	Value    int    `json:"v,omitempty"`
	Required int    `json:"r,omitempty"`
	Full     int    `json:"f,omitempty"`
}

func dateText(d presence.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func textDate(s string) (presence.Date, error) {
	if s == "" {
		return presence.Date{}, nil
	}
	return presence.ParseDate(s)
}

// encodeResults returns results as stored.
func encodeResults(results []compliance.Result) ([]byte, error) {
	out := make([]storedResult, len(results))
	for i, r := range results {
		s := storedResult{Rule: r.Rule, Item: r.Item, RegionID: r.RegionID, Period: r.Period, First: dateText(r.First),
			Last: dateText(r.Last), Status: string(r.Status), CoveredDays: r.CoveredDays, PeriodDays: r.PeriodDays,
			DaysLeft: r.DaysLeft, MadeUpDays: r.MadeUpDays, Due: dateText(r.Due), PolicyVersion: r.PolicyVersion,
			Message: r.Message, MessageEN: r.MessageEN, Gaps: r.Gaps}
		if r.Numbers != nil {
			s.Numbers = make([]storedNumber, len(r.Numbers))
			for j, n := range r.Numbers {
				s.Numbers[j] = storedNumber{Name: n.Name, Label: n.Label, LabelEN: n.LabelEN, Unit: n.Unit, Value: n.Value,
					Required: n.Required, Full: n.Full}
			}
		}
		out[i] = s
	}
	return json.Marshal(out)
}

// decodeResults reads results stored by encodeResults; INTERNAL for
// bytes it did not write.
func decodeResults(b []byte) ([]compliance.Result, error) {
	var in []storedResult
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, models.Wrap(models.CodeInternal, err, "a stored verdict")
	}
	out := make([]compliance.Result, len(in))
	for i, s := range in {
		r := compliance.Result{Rule: s.Rule, Item: s.Item, RegionID: s.RegionID, Period: s.Period, Status: compliance.Status(s.Status),
			CoveredDays: s.CoveredDays, PeriodDays: s.PeriodDays, DaysLeft: s.DaysLeft, MadeUpDays: s.MadeUpDays,
			PolicyVersion: s.PolicyVersion, Message: s.Message, MessageEN: s.MessageEN, Gaps: s.Gaps}
		var err error
		for _, d := range []struct {
			to   *presence.Date
			text string
		}{{&r.First, s.First}, {&r.Last, s.Last}, {&r.Due, s.Due}} {
			if *d.to, err = textDate(d.text); err != nil {
				return nil, models.Wrap(models.CodeInternal, err, "a stored verdict's date")
			}
		}
		if s.Numbers != nil {
			r.Numbers = make([]compliance.Number, len(s.Numbers))
			for j, n := range s.Numbers {
				r.Numbers[j] = compliance.Number{Name: n.Name, Label: n.Label, LabelEN: n.LabelEN, Unit: n.Unit, Value: n.Value,
					Required: n.Required, Full: n.Full}
			}
		}
		out[i] = r
	}
	return out, nil
}
