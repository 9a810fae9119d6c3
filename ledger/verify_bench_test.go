package ledger

import (
	"strconv"
	"testing"
	"time"

	"github.com/henan-youth/onsite/models"
)

// BenchmarkVerifierAdd is verify-ledger's work per leaf of a log that
// verifies: encode a check-in, hash its leaf, compare it with the stored
// hash and append it to the verifier's tree (docs/performance.md). Making
// the records and their stored hashes is not timed.
func BenchmarkVerifierAdd(b *testing.B) {
	v := NewVerifier(nil, nil)
	recs, stored := make([]*models.CheckIn, 4096), make([][]byte, 4096)
	for i := range recs {
		recs[i] = sampleCheckIn()
	}
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		j := i % len(recs)
		if j == 0 {
			b.StopTimer()
			for k, c := range recs {
				c.ClientID = "c-" + strconv.Itoa(i+k)
				c.ReceivedAt = c.ReceivedAt.Add(time.Millisecond)
				stored[k] = HashLeaf(appendCheckIn(nil, c))
			}
			b.StartTimer()
		}
		buf = appendCheckIn(buf[:0], recs[j])
		if err := v.Add(Entry{Index: uint64(i), Key: recs[j].LeafKey(), Stored: stored[j], Record: buf}); err != nil {
			b.Fatal(err)
		}
	}
	if v.problems > 0 {
		b.Fatalf("%d problems", v.problems)
	}
}
