package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
	"golang.org/x/mod/sumdb/note"
)

// checkpointedStore returns a store of n entries with a checkpoint every
// `every` entries, as a node integrating on a timer leaves it.
func checkpointedStore(t testing.TB, n, every int) *fakeStore {
	t.Helper()
	s := newFakeStore()
	l := newTestLog(t, s)
	for s.len() < n {
		s.fill(min(every, n-s.len()), t0)
		if _, err := l.Integrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestVerifyStore(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	for _, tc := range []struct {
		name   string
		every  int
		tamper func(s *fakeStore)
		want   *Problem // Reason is matched as a substring
	}{
		{"sound", 1, func(*fakeStore) {}, nil},
		{"sound, coarse checkpoints", 7, func(*fakeStore) {}, nil},
		{"record changed", 1, func(s *fakeStore) { s.setRecord(12, []byte(`{"kind":"release","record":{"id":"12"}}`)) },
			&Problem{12, enlace.EntryAgreement, "12", "the record no longer matches the entry's commitment"}},
		{"commitment changed", 1, func(s *fakeStore) { s.setCommitment(7, enlace.Commit([]byte("salt"), []byte("other"))) },
			&Problem{7, enlace.EntryAgreement, "7", "the record no longer matches"}},
		{"entry deleted", 1, func(s *fakeStore) { s.deleteEntry(5) },
			&Problem{5, "", "", "the entry is missing: the next entry held is 6"}},
		{"last entry deleted", 1, func(s *fakeStore) { s.deleteEntry(29) },
			&Problem{29, "", "", "the entry is missing: checkpoint 30 was signed over 30 entries but the store holds 29"}},
		{"entries swapped", 1, func(s *fakeStore) { s.swapEntries(8, 20) },
			&Problem{8, enlace.EntryRelease, "20", "entries were reordered: release 20 comes before release 9 (entry 9)"}},
		{"entries swapped, coarse checkpoints", 7, func(s *fakeStore) { s.swapEntries(9, 12) },
			&Problem{10, enlace.EntryRelease, "10", "entries were reordered: release 10 comes before release 9 (entry 12)"}},
		{"entry's nation changed", 1, func(s *fakeStore) { s.tampered = true; s.entries[4].To = "ES" },
			&Problem{4, enlace.EntryRelease, "4", "the first 5 entries no longer build the root of checkpoint 5"}},
		{"entry's time changed", 1, func(s *fakeStore) { s.tampered = true; s.entries[2].At = s.entries[2].At.Add(time.Hour) },
			&Problem{2, enlace.EntryAgreement, "2", "no longer build the root of checkpoint 3"}},
		{"entry duplicated", 1, func(s *fakeStore) {
			s.tampered = true
			s.entries = append(s.entries[:7], append([]enlace.LedgerEntry{s.entries[6]}, s.entries[7:]...)...)
		}, &Problem{6, enlace.EntrySubmission, "6", "the entry appears again after entry 6"}},
		{"record without entry", 1, func(s *fakeStore) { s.insertRecord(enlace.EntryRelease, "999") },
			&Problem{-1, enlace.EntryRelease, "999", "the record has no ledger entry"}},
		{"entry without record", 1, func(s *fakeStore) { s.insertEntry(enlace.EntryRelease, "998", "FR", "US", t0) },
			&Problem{30, enlace.EntryRelease, "998", "record gone"}},
		{"record deleted", 1, func(s *fakeStore) { delete(s.records, recordKey(enlace.EntryUse, "13")) },
			&Problem{13, enlace.EntryUse, "13", "record gone"}},
		{"checkpoint forged", 1, func(s *fakeStore) {
			c := s.checkpoints[17]
			skey, _, _ := GenerateKey("enlace.example.fr")
			l, _ := New(context.Background(), Config{Store: newFakeStore(), Signer: mustSigner(skey), Origin: testOrigin, Now: time.Now, Logger: discard()})
			forged, _ := l.sign(17, c.Root)
			c.Note = forged.Note
			s.checkpoints[17] = c
		}, &Problem{-1, "", "", "checkpoint 17: checkpoint: the node's signature does not verify"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := checkpointedStore(t, 30, tc.every)
			tc.tamper(s)
			res, err := VerifyStore(ctx, s, k.nodeV)
			if tc.want == nil {
				if err != nil || res.Problem != nil || res.Size != 30 || res.Checkpoints != (30+tc.every-1)/tc.every {
					t.Fatalf("VerifyStore = %v, %v", res, err)
				}
				if !strings.HasPrefix(res.String(), "ledger sound: 30 entries") {
					t.Errorf("String() = %q", res)
				}
				return
			}
			var p *Problem
			if !errors.As(err, &p) || res.Problem != p {
				t.Fatalf("VerifyStore = %v, %v; want the problem %v", res, err, tc.want)
			}
			if p.Index != tc.want.Index || p.Kind != tc.want.Kind || p.RecordID != tc.want.RecordID || !strings.Contains(p.Reason, tc.want.Reason) {
				t.Fatalf("problem %+v\nwant    %+v", *p, *tc.want)
			}
			t.Log(err)
		})
	}
}

func mustSigner(skey string) note.Signer {
	s, err := NewSigner(skey)
	if err != nil {
		panic(err)
	}
	return s
}

// TestVerifyStoreCatchesRandomTampering tampers at random with entries a
// checkpoint covers: every change must be caught.
func TestVerifyStoreCatchesRandomTampering(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 200 {
		s := checkpointedStore(t, 40, 1+rng.IntN(9))
		cps, _ := s.Checkpoints(ctx, 1)
		anchored := int(cps[0].Size)
		i := rng.IntN(anchored)
		j := (i + 1 + rng.IntN(anchored-1)) % anchored
		op := rng.IntN(7)
		switch op {
		case 0:
			s.setRecord(i, fmt.Appendf(nil, `{"kind":"x","record":%d}`, iter))
		case 1:
			s.setCommitment(i, enlace.Commit([]byte{byte(iter)}, nil))
		case 2:
			s.deleteEntry(i)
		case 3:
			s.swapEntries(i, j)
		case 4:
			s.insertRecord(enlace.EntryConsent, fmt.Sprint("C-", iter))
		case 5:
			s.insertEntry(enlace.EntryUse, fmt.Sprint("U-", iter), "FR", "US", t0)
		case 6:
			s.tampered = true
			s.entries[i].From = "XX"
		}
		if _, err := VerifyStore(ctx, s, k.nodeV); err == nil {
			t.Fatalf("iteration %d: tampering %d at %d, %d went unnoticed", iter, op, i, j)
		}
	}
}
