package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// testLedgerEntries writes one record of every kind and checks that each
// got exactly one entry, in order, between the right nations, and that
// the store recomputes the record each entry committed to.
func testLedgerEntries(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	d := seed(t, s)
	r := must(s.CreateReport(ctx, newReport(1, "DIPOL", "CO")))
	ag := must(s.CreateAgreement(ctx, agreement(at(1), nil)))
	ag2 := ag
	ag2.Title = "amended"
	ag2 = must(s.CreateAgreement(ctx, ag2))
	dir := must(s.CreateDirective(ctx, enlace.Directive{
		Action: enlace.ActionSuspend, From: enlace.Scope{Nation: "CO"}, To: enlace.Scope{Agency: "DEA"},
		Purposes: enlace.PurposeSet{Mode: enlace.PurposesAll}, EffectiveAt: at(5), Reason: "review",
		IssuedBy: "co", IssuerAgency: "DIPOL", IssuerNation: "CO", IssuerRank: enlace.RankNation, IssuedAt: at(5),
	}))
	rel := must(s.CreateRelease(ctx, release(r, "DEA", "US", 10)))
	req := enlace.Consent{ReportID: r.ID, Originator: "DIPOL", RequestedBy: d.liaison.Username,
		Holder: "DEA", Recipient: "NCA", Purposes: []enlace.Purpose{enlace.PurposeInterdiction}, CreatedAt: at(20)}
	c := must(s.CreateConsent(ctx, req))
	must(s.DecideConsent(ctx, c.ID, enlace.ConsentDecision{Status: enlace.ConsentGranted}, "ana", at(21)))
	n := must(s.WithdrawObjects(ctx, "DIPOL", stixID("indicator", 1), nil, "ana", at(30)))
	if n != 1 {
		t.Errorf("WithdrawObjects withdrew %d versions, want 1", n)
	}

	want := []struct {
		kind     enlace.EntryKind
		id       string
		from, to string
	}{
		{enlace.EntrySubmission, r.ID, "CO", ""},
		{enlace.EntryAgreement, ag.ID + "/1", "CO", ""}, // a task force spans nations
		{enlace.EntryAgreement, ag.ID + "/2", "CO", ""},
		{enlace.EntryDirective, dir.ID, "CO", "US"},
		{enlace.EntryRelease, fmt.Sprint(rel.ID), "CO", "US"},
		{enlace.EntryConsent, fmt.Sprint(c.ID), "CO", "GB"},
		{enlace.EntryConsentDecision, fmt.Sprint(c.ID), "CO", "GB"},
		{enlace.EntryWithdrawal, "1", "CO", ""},
	}
	size := must(s.LedgerSize(ctx))
	if size != int64(len(want)) {
		t.Fatalf("LedgerSize = %d, want %d", size, len(want))
	}
	entries := must(s.LedgerEntries(ctx, 0, size))
	if len(entries) != len(want) {
		t.Fatalf("LedgerEntries returned %d entries, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		w := want[i]
		if e.Index != int64(i) || e.Kind != w.kind || e.RecordID != w.id || e.From != w.from || e.To != w.to {
			t.Errorf("entry %d = {%d %s %s %s→%s}, want {%d %s %s %s→%s}", i,
				e.Index, e.Kind, e.RecordID, e.From, e.To, i, w.kind, w.id, w.from, w.to)
		}
		if len(e.Salt) != 32 {
			t.Errorf("entry %d salt has %d bytes, want 32", i, len(e.Salt))
		}
		rec := must(s.LedgerRecord(ctx, e))
		if !bytes.Equal(enlace.Commit(e.Salt, rec), e.Commitment) {
			t.Errorf("entry %d (%s %s): the recomputed record does not match its commitment:\n%s", i, e.Kind, e.RecordID, rec)
		}
		back, err := enlace.ParseLeaf(e.Leaf())
		check(t, err)
		if back.Index != e.Index || back.Kind != e.Kind || !back.At.Equal(e.At) || !bytes.Equal(back.Commitment, e.Commitment) {
			t.Errorf("entry %d: leaf %q reads back as %+v", i, e.Leaf(), back)
		}
	}
	diff(t, "UnledgeredRecords", []string(nil), must(s.UnledgeredRecords(ctx)))
	diff(t, "LedgerEntryOf(directive)", entries[3], must(s.LedgerEntryOf(ctx, enlace.EntryDirective, dir.ID)))
	_, err := s.LedgerEntryOf(ctx, enlace.EntryDirective, "D-99")
	wantCode(t, "LedgerEntryOf(unknown)", err, enlace.ENotFound)

	part := must(s.LedgerEntries(ctx, 2, 4))
	if len(part) != 2 || part[0].Index != 2 || part[1].Index != 3 {
		t.Errorf("LedgerEntries(2, 4) = %d entries from %v", len(part), part)
	}
	_, err = s.LedgerEntries(ctx, 4, 2)
	wantCode(t, "LedgerEntries(4, 2)", err, enlace.EInvalid)
	_, err = s.LedgerRecord(ctx, enlace.LedgerEntry{Kind: enlace.EntryRelease, RecordID: "999"})
	wantCode(t, "LedgerRecord(missing release)", err, enlace.ENotFound)
	// An entry whose header says other than its record is refused.
	forged := entries[4]
	forged.To = "GB"
	_, err = s.LedgerRecord(ctx, forged)
	wantCode(t, "LedgerRecord(entry naming another nation)", err, enlace.EInvalid)
	forged = entries[4]
	forged.At = forged.At.Add(time.Microsecond)
	_, err = s.LedgerRecord(ctx, forged)
	wantCode(t, "LedgerRecord(entry with another time)", err, enlace.EInvalid)

	// A refused write leaves no entry behind.
	_, err = s.CreateRelease(ctx, release(enlace.Report{ID: stixID("report", 9)}, "DEA", "US", 40))
	wantCode(t, "CreateRelease(unknown report)", err, enlace.ENotFound)
	if got := must(s.LedgerSize(ctx)); got != size {
		t.Errorf("LedgerSize after a refused release = %d, want %d", got, size)
	}

	// A batch of releases is one transaction: one bad release, none kept.
	_, err = s.CreateReleases(ctx, []enlace.Release{release(r, "DEA", "US", 41), release(enlace.Report{ID: stixID("report", 9)}, "DEA", "US", 42)})
	wantCode(t, "CreateReleases(one unknown report)", err, enlace.ENotFound)
	if got := must(s.LedgerSize(ctx)); got != size {
		t.Errorf("LedgerSize after a refused batch = %d, want %d", got, size)
	}
	batch := must(s.CreateReleases(ctx, []enlace.Release{release(r, "DEA", "US", 41), release(r, "USCG", "US", 42)}))
	if len(batch) != 2 || batch[1].ID <= batch[0].ID {
		t.Errorf("CreateReleases returned %+v", batch)
	}
	if got := must(s.LedgerSize(ctx)); got != size+2 {
		t.Errorf("LedgerSize after a batch of 2 = %d, want %d", got, size+2)
	}
	diff(t, "Releases(ReportIDs)", 3, len(must(s.Releases(ctx, enlace.ReleaseFilter{ReportIDs: []string{r.ID, stixID("report", 9)}}))))
}

func testCheckpoints(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	_, err := s.LatestCheckpoint(ctx)
	wantCode(t, "LatestCheckpoint(empty)", err, enlace.ENotFound)
	cp := func(n int64, root byte) enlace.Checkpoint {
		return enlace.Checkpoint{Size: n, Root: bytes.Repeat([]byte{root}, 32), Note: []byte(fmt.Sprintf("origin\n%d\n", n)), At: at(int(n))}
	}
	check(t, s.SaveCheckpoint(ctx, cp(3, 1)))
	check(t, s.SaveCheckpoint(ctx, cp(3, 1)))
	wantCode(t, "SaveCheckpoint(same size, other root)", s.SaveCheckpoint(ctx, cp(3, 2)), enlace.EConflict)
	check(t, s.SaveCheckpoint(ctx, cp(7, 4)))
	diff(t, "LatestCheckpoint", cp(7, 4), must(s.LatestCheckpoint(ctx)))

	cs := enlace.Cosignature{Size: 3, Name: "us-cosigner", Signature: []byte("— us-cosigner AAAA"), At: at(9)}
	check(t, s.AddCosignature(ctx, cs))
	again := cs
	again.Signature = []byte("— us-cosigner BBBB")
	check(t, s.AddCosignature(ctx, again))
	wantCode(t, "AddCosignature(no checkpoint)", s.AddCosignature(ctx, enlace.Cosignature{Size: 5, Name: "x", At: at(1)}), enlace.ENotFound)
	want3 := cp(3, 1)
	want3.Cosignatures = []enlace.Cosignature{cs}
	diff(t, "CheckpointAt(3)", want3, must(s.CheckpointAt(ctx, 3)))
	_, err = s.CheckpointAt(ctx, 4)
	wantCode(t, "CheckpointAt(4)", err, enlace.ENotFound)
	diff(t, "Checkpoints", []enlace.Checkpoint{cp(7, 4), want3}, must(s.Checkpoints(ctx, 10)))
	diff(t, "Checkpoints(limit 1)", []enlace.Checkpoint{cp(7, 4)}, must(s.Checkpoints(ctx, 1)))
}
