package exchange

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/ledger"
)

// Checkpoints returns the ledger's latest checkpoints, largest first,
// with their cosignatures. Checkpoints reveal sizes and roots only, so
// every user may see them.
func (x *Exchange) Checkpoints(ctx context.Context, actor enlace.User, limit int) ([]enlace.Checkpoint, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return x.store.Checkpoints(ctx, limit)
}

// RecordProof is a record with the proof that the ledger holds it: the
// record's canonical bytes, its entry (salt included) and the entry's
// inclusion in a signed checkpoint. Whoever holds it can check, with the
// node's public key, that the record is in the log both nations verify.
type RecordProof struct {
	Kind   enlace.EntryKind   `json:"kind"`
	ID     string             `json:"id"`
	Record []byte             `json:"record"` // base64 in JSON: the exact bytes the entry commits to
	Proof  ledger.RecordProof `json:"proof"`
}

// ProveRecord returns the proof of the record of kind and id to a party
// entitled to the record: its agencies, their nations' authorities and
// auditors, and for a submission whoever may read the report. To anyone
// else, as to a record that does not exist, it is ENotFound. A record not
// yet in a checkpoint is ENotFound too, for a second or so.
func (x *Exchange) ProveRecord(ctx context.Context, actor enlace.User, kind enlace.EntryKind, id string) (RecordProof, error) {
	none := enlace.Errorf(enlace.ENotFound, "no %s %s in the ledger", kind, id)
	if x.ledger == nil {
		return RecordProof{}, enlace.Errorf(enlace.ENotFound, "this exchange keeps no ledger")
	}
	e, err := x.store.LedgerEntryOf(ctx, kind, id)
	if enlace.ErrorCode(err) == enlace.ENotFound {
		return RecordProof{}, none
	}
	if err != nil {
		return RecordProof{}, err
	}
	rec, err := x.store.LedgerRecord(ctx, e)
	if err != nil {
		return RecordProof{}, err
	}
	ok, err := x.entitled(ctx, actor, e, rec)
	if err != nil {
		return RecordProof{}, err
	}
	if !ok {
		return RecordProof{}, none
	}
	p, err := x.ledger.ProveEntry(ctx, e.Index)
	if err != nil {
		return RecordProof{}, err
	}
	return RecordProof{Kind: kind, ID: id, Record: rec, Proof: p}, nil
}

// entitled reports whether actor may hold the record rec of entry e.
func (x *Exchange) entitled(ctx context.Context, actor enlace.User, e enlace.LedgerEntry, rec []byte) (bool, error) {
	national := (actor.Has(enlace.RoleAuthority) || actor.Has(enlace.RoleAuditor)) &&
		(actor.Nation == e.From || actor.Nation == e.To)
	var r struct {
		Record struct {
			Originator   string `json:"originator"`
			Releaser     string `json:"releaser"`
			Recipient    string `json:"recipient"`
			Holder       string `json:"holder"`
			IssuerAgency string `json:"issuer_agency"`
		} `json:"record"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		return false, err
	}
	parties := []string{r.Record.Originator, r.Record.Releaser, r.Record.Recipient, r.Record.Holder, r.Record.IssuerAgency}
	switch e.Kind {
	case enlace.EntryRelease, enlace.EntryConsent, enlace.EntryConsentDecision, enlace.EntryWithdrawal:
		return national || slices.Contains(parties, actor.Agency), nil
	case enlace.EntryDirective, enlace.EntryAgreement:
		// Governance between nations is known to both.
		return actor.Nation == e.From || actor.Nation == e.To || e.To == "", nil
	case enlace.EntrySubmission:
		if national && actor.Nation == e.From {
			return true, nil
		}
		r, err := x.store.Report(ctx, e.RecordID)
		if err != nil {
			return false, err
		}
		if r.Originator == actor.Agency {
			return true, nil
		}
		return x.received(ctx, actor.Agency, e.RecordID)
	}
	return false, nil
}
