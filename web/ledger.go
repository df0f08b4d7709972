package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/ledger"
	"golang.org/x/mod/sumdb/note"
)

// explorerCheckpoints is how many of the latest checkpoints the explorer
// lists.
const explorerCheckpoints = 10

// provableKinds are the kinds of record the explorer proves, in the
// order its form offers them.
var provableKinds = []enlace.EntryKind{
	enlace.EntryRelease, enlace.EntryDirective, enlace.EntryAgreement, enlace.EntryConsent,
	enlace.EntryConsentDecision, enlace.EntrySubmission, enlace.EntryWithdrawal,
}

// proveForm is the explorer's "verify a record's inclusion" form, as
// typed.
type proveForm struct {
	Kind, ID string
	Error    string
}

// checkpointView is a checkpoint as the explorer lists it.
type checkpointView struct {
	enlace.Checkpoint
	Signatures []signatureView // the node's signature lines on the note
}

// signatureView is one signature line of a signed note.
type signatureView struct {
	Name, Signature string
}

// proofView is a verified (or refused) record proof, laid out for the
// page.
type proofView struct {
	Kind, ID   string
	Record     string // indented JSON
	Entry      enlace.LedgerEntry
	Leaf       string
	Note       string // the signed checkpoint note the proof rests on
	Hashes     []string
	Checkpoint checkpointView
	Found      bool // the checkpoint is among those the explorer read
	Verified   bool
	Verdict    string
}

// nodeVerifier parses the node's public checkpoint key; nil when none is
// configured or it does not parse (the explorer then says it cannot
// verify).
func nodeVerifier(key string) (note.Verifier, error) {
	if strings.TrimSpace(key) == "" {
		return nil, nil
	}
	return ledger.NewVerifier(strings.TrimSpace(key))
}

// readProveForm reads the form from the query and says what is wrong
// with it, if anything.
func readProveForm(r *http.Request) proveForm {
	q := r.URL.Query()
	f := proveForm{Kind: q.Get("kind"), ID: strings.TrimSpace(q.Get("id"))}
	known := false
	for _, k := range provableKinds {
		known = known || string(k) == f.Kind
	}
	switch {
	case !known:
		f.Error = fmt.Sprintf("choose the kind of record (%s)", kindList())
	case f.ID == "":
		f.Error = "enter the record's id, such as D-1 for a directive, 42 for a release or report--… for a submission"
	case len(f.ID) > 200 || strings.ContainsFunc(f.ID, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		f.Error = "a record id is one word of at most 200 characters, such as D-1, 42, AG-1/2 or report--…"
	}
	return f
}

func kindList() string {
	s := make([]string, len(provableKinds))
	for i, k := range provableKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ledgerPage shows the latest checkpoints and, when asked, verifies one
// record's inclusion. Checkpoints reveal only sizes and roots, so every
// user sees them; a record is proved only to a party entitled to it, and
// one the user may not hold reads exactly like one that does not exist.
func (s *server) ledgerPage(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	cps, err := s.x.Checkpoints(ctx, c.User(), 100)
	if err != nil {
		return err
	}
	var views []checkpointView
	for _, cp := range cps {
		views = append(views, viewCheckpoint(cp))
	}
	data := map[string]any{"Kinds": provableKinds, "Form": proveForm{Kind: string(enlace.EntryDirective)}}
	status := http.StatusOK
	if r.URL.Query().Has("kind") || r.URL.Query().Has("id") {
		f := readProveForm(r)
		data["Form"] = f
		if f.Error != "" {
			status = http.StatusBadRequest
		} else {
			p, err := s.x.ProveRecord(ctx, c.User(), enlace.EntryKind(f.Kind), f.ID)
			switch {
			case enlace.ErrorCode(err) == enlace.ENotFound:
				// One message for a record that does not exist, one the
				// user may not hold, and one not yet in a checkpoint.
				data["NotFound"], status = true, http.StatusNotFound
			case err != nil:
				return err
			default:
				data["Proof"] = s.verifyProof(f, p, views)
			}
		}
	}
	data["Checkpoints"] = views[:min(len(views), explorerCheckpoints)]
	s.render(w, r, c, status, "ledger", "Ledger", data)
	return nil
}

// verifyProof checks a record's proof with the node's key, here in the
// server, and lays it out with the checkpoint it rests on.
func (s *server) verifyProof(f proveForm, p exchange.RecordProof, cps []checkpointView) *proofView {
	record, e := p.Record, p.Proof.Entry
	v := &proofView{Kind: f.Kind, ID: f.ID, Entry: e, Leaf: string(e.Leaf()), Note: string(p.Proof.Checkpoint)}
	var buf bytes.Buffer
	if json.Indent(&buf, record, "", "  ") == nil {
		v.Record = buf.String()
	} else {
		v.Record = string(record)
	}
	for _, h := range p.Proof.Proof {
		v.Hashes = append(v.Hashes, base64.StdEncoding.EncodeToString(h))
	}
	v.Checkpoint = viewCheckpoint(enlace.Checkpoint{Note: p.Proof.Checkpoint})
	if s.verifier == nil {
		v.Verdict = "Not verified: this server has no node key to check the checkpoint's signature with."
		return v
	}
	var head struct {
		Kind enlace.EntryKind `json:"kind"`
	}
	_ = json.Unmarshal(record, &head)
	if string(e.Kind) != f.Kind || e.RecordID != f.ID || string(head.Kind) != f.Kind {
		v.Verdict = fmt.Sprintf("NOT verified: the proof is of %s %s, not of %s %s.", e.Kind, e.RecordID, f.Kind, f.ID)
		return v
	}
	size, root, err := p.Proof.Verify(record, s.verifier)
	if err != nil {
		v.Verdict = "NOT verified: " + err.Error() + "."
		return v
	}
	v.Checkpoint.Size, v.Checkpoint.Root = size, root
	for _, cp := range cps {
		if cp.Size == size && bytes.Equal(cp.Root, root) {
			v.Checkpoint, v.Found = cp, true
		}
	}
	v.Verified = true
	verdict := fmt.Sprintf("Included in checkpoint %d (entry %d of %d), signed by the node (%s)", size, e.Index, size, s.verifier.Name())
	var co []string
	for _, cs := range v.Checkpoint.Cosignatures {
		co = append(co, fmt.Sprintf("%s at %s", cs.Name, cs.At.UTC().Format(time.DateTime+" UTC")))
	}
	if len(co) > 0 {
		verdict += ", cosigned by " + strings.Join(co, ", ") + "."
	} else {
		verdict += "; no partner has cosigned this checkpoint yet."
	}
	v.Verdict = verdict
	return v
}

// viewCheckpoint reads the signature lines off a checkpoint's note.
func viewCheckpoint(cp enlace.Checkpoint) checkpointView {
	v := checkpointView{Checkpoint: cp}
	_, sigs, ok := strings.Cut(string(cp.Note), "\n\n")
	if !ok {
		return v
	}
	for _, line := range strings.Split(sigs, "\n") {
		rest, ok := strings.CutPrefix(line, "\u2014 ")
		if !ok {
			continue
		}
		name, sig, _ := strings.Cut(rest, " ")
		v.Signatures = append(v.Signatures, signatureView{Name: name, Signature: sig})
	}
	return v
}
