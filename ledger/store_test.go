package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
)

// fakeStore is an in-memory enlace.LedgerStore: entries in a slice as a
// table holds rows, records in a map so LedgerRecord can recompute them,
// and helpers that tamper with both as someone with the database could.
type fakeStore struct {
	mu          sync.Mutex
	entries     []enlace.LedgerEntry
	records     map[string][]byte // "kind id" -> canonical record
	checkpoints map[int64]enlace.Checkpoint
	tampered    bool // entries may no longer sit at their index
}

func newFakeStore() *fakeStore {
	return &fakeStore{records: map[string][]byte{}, checkpoints: map[int64]enlace.Checkpoint{}}
}

func recordKey(kind enlace.EntryKind, id string) string { return string(kind) + " " + id }

// fakeRecord is the record a test appends.
type fakeRecord struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
	Note string `json:"note"`
}

// add appends a record and its entry, as an engine does in one
// transaction, and returns the entry.
func (s *fakeStore) add(kind enlace.EntryKind, id, from, to string, at time.Time) enlace.LedgerEntry {
	rec, err := enlace.LedgerRecord(kind, fakeRecord{ID: id, From: from, To: to, Note: "content of " + id})
	if err != nil {
		panic(err)
	}
	e := enlace.NewLedgerEntry(kind, id, from, to, at, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	e.Index = int64(len(s.entries))
	s.entries = append(s.entries, e)
	s.records[recordKey(kind, id)] = rec
	return e
}

// fill appends n records of assorted kinds, nations and times.
func (s *fakeStore) fill(n int, start time.Time) {
	kinds := []enlace.EntryKind{enlace.EntryRelease, enlace.EntrySubmission, enlace.EntryAgreement, enlace.EntryUse, enlace.EntryRelease}
	nations := []string{"FR", "US", "DE", "ES"}
	base := s.len()
	for i := range n {
		k := base + i
		s.add(kinds[k%len(kinds)], fmt.Sprint(k), nations[k%len(nations)], nations[(k/3+1)%len(nations)], start.Add(time.Duration(k)*time.Minute))
	}
}

func (s *fakeStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

func (s *fakeStore) LedgerSize(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.entries)), nil
}

func (s *fakeStore) LedgerEntries(ctx context.Context, start, end int64) ([]enlace.LedgerEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if start < 0 || end < start {
		return nil, enlace.Errorf(enlace.EInvalid, "bad range [%d, %d)", start, end)
	}
	if !s.tampered {
		end = min(end, int64(len(s.entries)))
		if start >= end {
			return nil, nil
		}
		return slices.Clone(s.entries[start:end]), nil
	}
	var out []enlace.LedgerEntry
	for _, e := range s.entries {
		if e.Index >= start && e.Index < end {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b enlace.LedgerEntry) int { return cmp.Compare(a.Index, b.Index) })
	return out, nil
}

func (s *fakeStore) LedgerRecord(ctx context.Context, e enlace.LedgerEntry) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[recordKey(e.Kind, e.RecordID)]
	if !ok {
		return nil, enlace.Errorf(enlace.ENotFound, "no %s %s", e.Kind, e.RecordID)
	}
	return rec, nil
}

func (s *fakeStore) LedgerEntryOf(ctx context.Context, kind enlace.EntryKind, id string) (enlace.LedgerEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.Kind == kind && e.RecordID == id {
			return e, nil
		}
	}
	return enlace.LedgerEntry{}, enlace.Errorf(enlace.ENotFound, "no entry for %s %s", kind, id)
}

func (s *fakeStore) UnledgeredRecords(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	have := map[string]bool{}
	for _, e := range s.entries {
		have[recordKey(e.Kind, e.RecordID)] = true
	}
	var out []string
	for k := range s.records {
		if !have[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *fakeStore) SaveCheckpoint(ctx context.Context, c enlace.Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.checkpoints[c.Size]; ok {
		if string(old.Root) != string(c.Root) {
			return enlace.Errorf(enlace.EConflict, "checkpoint %d exists with another root", c.Size)
		}
		return nil
	}
	c.Cosignatures = nil
	s.checkpoints[c.Size] = c
	return nil
}

func (s *fakeStore) LatestCheckpoint(ctx context.Context) (enlace.Checkpoint, error) {
	cps, _ := s.Checkpoints(ctx, 1)
	if len(cps) == 0 {
		return enlace.Checkpoint{}, enlace.Errorf(enlace.ENotFound, "no checkpoint")
	}
	return cps[0], nil
}

func (s *fakeStore) CheckpointAt(ctx context.Context, n int64) (enlace.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkpoints[n]
	if !ok {
		return enlace.Checkpoint{}, enlace.Errorf(enlace.ENotFound, "no checkpoint %d", n)
	}
	c.Cosignatures = slices.Clone(c.Cosignatures)
	return c, nil
}

func (s *fakeStore) Checkpoints(ctx context.Context, limit int) ([]enlace.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []enlace.Checkpoint
	for _, c := range s.checkpoints {
		c.Cosignatures = slices.Clone(c.Cosignatures)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b enlace.Checkpoint) int { return cmp.Compare(b.Size, a.Size) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *fakeStore) AddCosignature(ctx context.Context, c enlace.Cosignature) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp, ok := s.checkpoints[c.Size]
	if !ok {
		return enlace.Errorf(enlace.ENotFound, "no checkpoint %d", c.Size)
	}
	for _, old := range cp.Cosignatures {
		if old.Name == c.Name {
			return nil
		}
	}
	cp.Cosignatures = append(cp.Cosignatures, c)
	s.checkpoints[c.Size] = cp
	return nil
}

// Tampering, as someone with the database could.

// setRecord changes the record entry i proves.
func (s *fakeStore) setRecord(i int, rec []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[i]
	s.records[recordKey(e.Kind, e.RecordID)] = rec
}

// setCommitment changes entry i's commitment.
func (s *fakeStore) setCommitment(i int, c []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tampered = true
	s.entries[i].Commitment = c
}

// deleteEntry deletes entry i's row.
func (s *fakeStore) deleteEntry(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tampered = true
	s.entries = slices.Delete(s.entries, i, i+1)
}

// swapEntries swaps the contents of entries i and j, each keeping its
// index: the two events now appear in the other order.
func (s *fakeStore) swapEntries(i, j int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tampered = true
	a, b := s.entries[i], s.entries[j]
	a.Index, b.Index = b.Index, a.Index
	s.entries[i], s.entries[j] = b, a
}

// insertRecord adds a record without an entry.
func (s *fakeStore) insertRecord(kind enlace.EntryKind, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[recordKey(kind, id)] = []byte(`{"kind":"` + string(kind) + `","record":{}}`)
}

// insertEntry appends an entry for a record that does not exist.
func (s *fakeStore) insertEntry(kind enlace.EntryKind, id, from, to string, at time.Time) {
	e := enlace.NewLedgerEntry(kind, id, from, to, at, []byte("no such record"))
	s.mu.Lock()
	defer s.mu.Unlock()
	e.Index = int64(len(s.entries))
	s.entries = append(s.entries, e)
}

// rewrite replaces entry i by another event with its own record, as a
// database rewritten wholesale would.
func (s *fakeStore) rewrite(i int, to string) {
	s.mu.Lock()
	e := s.entries[i]
	s.mu.Unlock()
	rec, _ := enlace.LedgerRecord(e.Kind, fakeRecord{ID: e.RecordID, From: e.From, To: to, Note: "rewritten"})
	ne := enlace.NewLedgerEntry(e.Kind, e.RecordID, e.From, to, e.At, rec)
	ne.Index = e.Index
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[i] = ne
	s.records[recordKey(e.Kind, e.RecordID)] = rec
}

// dropCheckpoints forgets every checkpoint and cosignature.
func (s *fakeStore) dropCheckpoints() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkpoints = map[int64]enlace.Checkpoint{}
}

var _ enlace.LedgerStore = (*fakeStore)(nil)
