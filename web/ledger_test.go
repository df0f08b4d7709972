package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/ledger"
	"github.com/enlace-exchange/enlace/screen"
	"github.com/enlace-exchange/enlace/screen/ofac"
	"github.com/enlace-exchange/enlace/web"
	"golang.org/x/mod/sumdb/note"
)

// checkpoint signs a checkpoint of everything recorded so far and has
// the US witness cosign it. It returns the checkpoint's size.
func (s *site) checkpoint() int64 {
	s.t.Helper()
	ctx := context.Background()
	c, err := s.ledger.Integrate(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	text, _, _ := bytes.Cut(c.Note, []byte("\n\n"))
	cosigner, err := ledger.NewCosigner(s.witness)
	if err != nil {
		s.t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text) + "\n"}, cosigner)
	if err != nil {
		s.t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(msg), "\n"), "\n")
	if _, err := s.ledger.AddCosignature(ctx, c.Size, []byte(lines[len(lines)-1])); err != nil {
		s.t.Fatal(err)
	}
	return c.Size
}

// importOFAC imports the small OFAC fixture into the site's list
// registry.
func (s *site) importOFAC() {
	s.t.Helper()
	reg, err := screen.OpenRegistry(s.lists, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, _, err := reg.Import(context.Background(), screen.ImportRequest{
		List: ofac.SDNList, Files: os.DirFS("../screen/testdata/ofac_v1"), Parse: ofac.ParseSDN,
	}); err != nil {
		s.t.Fatal(err)
	}
}

// sanctionedReport is a DIPOL report naming a sanctioned person and a
// sanctioned vessel of the OFAC fixture.
func sanctionedReport(id string) enlace.Report {
	obj := func(typ, n string, props map[string]any) json.RawMessage {
		o := map[string]any{"type": typ, "spec_version": "2.1", "id": typ + "--5e1f0000-0000-4000-8000-00000000000" + n,
			"created": "2026-09-15T10:00:00.000Z", "modified": "2026-09-15T10:00:00.000Z"}
		for k, v := range props {
			o[k] = v
		}
		b, _ := json.Marshal(o)
		return b
	}
	return enlace.Report{
		ID: id, Title: "Crew and vessel off Buenaventura",
		Markings: enlace.Markings{TLP: enlace.TLPAmber},
		Grading:  enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"},
		Objects: []json.RawMessage{
			obj("identity", "1", map[string]any{"name": "Ayman al-Zawahiri", "identity_class": "individual"}),
			obj("x-enlace-vessel", "2", map[string]any{"name": "ARTAVIL", "imo": "9187629"}),
		},
	}
}

// TestLedgerExplorer: a party to a record sees its proof verified in
// the server, down to the checkpoint and its cosigner; anyone else sees
// the same "not found" as for a record that does not exist.
func TestLedgerExplorer(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if _, err := s.x.IssueDirective(ctx, s.user("co-authority"), enlace.Directive{
		Action: enlace.ActionSuspend, From: enlace.NationScope("CO"), To: enlace.NationScope("US"), Purposes: enlace.AllPurposes, Reason: "strikes continue",
	}); err != nil {
		t.Fatal(err)
	}
	size := s.checkpoint()

	co := s.browser()
	co.signIn("co-authority")
	if p := co.get("/"); !strings.Contains(p.body, `href="/ledger"`) {
		t.Error("no link to the explorer in the menu")
	}
	p := co.get("/ledger")
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="checkpoint-`) || !strings.Contains(p.body, "witness.us.example") ||
		!strings.Contains(p.body, "enlace.test/ledger") || !strings.Contains(p.body, "never an id, an agency") {
		t.Fatalf("explorer: %d %s", p.status, p.body)
	}
	p = co.get("/ledger?kind=directive&id=D-1")
	verdict := regexp.MustCompile(`id="verdict">([^<]*)<`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || verdict == nil {
		t.Fatalf("proof of D-1: %d %s", p.status, p.body)
	}
	for _, want := range []string{"Included in checkpoint " + strconv.FormatInt(size, 10), "signed by the node (enlace.test/ledger)", "cosigned by witness.us.example"} {
		if !strings.Contains(verdict[1], want) {
			t.Errorf("verdict %q lacks %q", verdict[1], want)
		}
	}
	for _, want := range []string{`class="ok"`, "strikes continue", `id="hashes"`, "enlace-ledger/1 ", "CO → US", `id="rests-on"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the proof page lacks %s", want)
		}
	}

	// GB is party to neither side of D-1: its authority is told exactly
	// what it is told about a directive that does not exist.
	gb := s.browser()
	gb.signIn("gb-authority")
	hidden := gb.get("/ledger?kind=directive&id=D-1")
	missing := gb.get("/ledger?kind=directive&id=D-9")
	if hidden.status != http.StatusNotFound || missing.status != http.StatusNotFound || !strings.Contains(hidden.body, `id="not-found"`) {
		t.Fatalf("GB asks for D-1: %d, for D-9: %d", hidden.status, missing.status)
	}
	same := func(s string) string {
		return strings.NewReplacer("id=D-1", "id=X", "id=D-9", "id=X", "directive D-1 ", "directive X ", "directive D-9 ", "directive X ", `value="D-1"`, `value="X"`, `value="D-9"`, `value="X"`).Replace(s)
	}
	if strings.Contains(hidden.body, "strikes continue") || same(hidden.body) != same(missing.body) {
		t.Errorf("a hidden directive's page differs from a missing one's:\n%s\n---\n%s", hidden.body, missing.body)
	}

	// Bad input is a form error that keeps what was typed.
	for q, kept := range map[string]string{
		"kind=gossip&id=D-1":   `value="D-1"`,
		"kind=directive&id=":   `<option value="directive" selected>`,
		"kind=release&id=4+2x": `value="4 2x"`,
	} {
		p := co.get("/ledger?" + q)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="form-error"`) || !strings.Contains(p.body, kept) {
			t.Errorf("%s: %d, keeps %s? %v", q, p.status, kept, strings.Contains(p.body, kept))
		}
	}
}

// TestLedgerLinksFromReport: the report page links to the proof of its
// submission and of each release, and those proofs verify for a reader
// of the report.
func TestLedgerLinksFromReport(t *testing.T) {
	s := newSite(t)
	rep, err := s.x.CreateReport(context.Background(), s.user("dipol-analyst"), enlace.Report{
		ID: "report--0a1b2c3d-0000-4000-8000-000000000003", Title: "Fuel drop at sea",
		Markings: enlace.Markings{TLP: enlace.TLPAmber},
		Grading:  enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dea := s.browser()
	dea.signIn("dea-analyst")
	p := dea.get("/reports/" + rep.ID + "?purpose=interdiction")
	m := regexp.MustCompile(`href="(/ledger\?kind=release&amp;id=\d+)"`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil || !strings.Contains(p.body, `href="/ledger?kind=submission&amp;id=`+rep.ID+`"`) {
		t.Fatalf("report page: %d, links to proofs? %s", p.status, p.body)
	}
	s.checkpoint()
	for _, link := range []string{strings.ReplaceAll(m[1], "&amp;", "&"), "/ledger?kind=submission&id=" + rep.ID} {
		if p := dea.get(link); p.status != http.StatusOK || !strings.Contains(p.body, "Included in checkpoint") || !strings.Contains(p.body, rep.ID) {
			t.Errorf("%s: %d %s", link, p.status, p.body)
		}
	}
	// NCA was never released the report: its submission is not found.
	nca := s.browser()
	nca.signIn("nca-analyst")
	if p := nca.get("/ledger?kind=submission&id=" + rep.ID); p.status != http.StatusNotFound || strings.Contains(p.body, rep.Title) {
		t.Errorf("NCA asks for the submission: %d", p.status)
	}
}

// TestScreeningAlertsAndHits: a report naming sanctioned entities
// alerts its originator and its nation's authority on the dashboard, not
// another agency; its page shows the hits to those who may read it.
func TestScreeningAlertsAndHits(t *testing.T) {
	s := newSite(t)
	s.importOFAC()
	rep, err := s.x.CreateReport(context.Background(), s.user("dipol-analyst"), sanctionedReport("report--0a1b2c3d-0000-4000-8000-000000000004"))
	if err != nil {
		t.Fatal(err)
	}
	alerts := regexp.MustCompile(`data-kind="screening-hit"`)
	for user, want := range map[string]int{"dipol-analyst": 2, "co-authority": 2, "dea-analyst": 0, "gb-authority": 0} {
		b := s.browser()
		b.signIn(user)
		p := b.get("/")
		if got := len(alerts.FindAllString(p.body, -1)); got != want || (want > 0 && !strings.Contains(p.body, `href="/reports/`+rep.ID+`"`)) {
			t.Errorf("%s's dashboard: %d screening alerts, want %d", user, got, want)
		}
		if want == 0 && strings.Contains(p.body, rep.ID) {
			t.Errorf("%s's dashboard names the report", user)
		}
	}
	dipol := s.browser()
	dipol.signIn("dipol-analyst")
	p := dipol.get("/")
	if strings.Index(p.body, "ARTAVIL") > strings.Index(p.body, "Ayman") {
		t.Error("the alerts are not newest first")
	}
	p = dipol.get("/reports/" + rep.ID + "?purpose=interdiction")
	for _, want := range []string{`id="hits"`, "Ayman al-Zawahiri", "us-ofac-sdn 100", "us-ofac-sdn 102", "AL-ZAWAHIRI", "<summary>Why it matched</summary>", "ARTAVIL"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the report page lacks %s", want)
		}
	}
	dea := s.browser()
	dea.signIn("dea-analyst")
	if p := dea.get("/reports/" + rep.ID + "?purpose=interdiction"); p.status != http.StatusOK || strings.Count(p.body, `class="hit"`) != 2 {
		t.Errorf("DEA's report page: %d, %d hits", p.status, strings.Count(p.body, `class="hit"`))
	}
	nca := s.browser()
	nca.signIn("nca-analyst")
	if p := nca.get("/reports/" + rep.ID + "?purpose=interdiction"); p.status != http.StatusNotFound || strings.Contains(p.body, "Zawahiri") {
		t.Errorf("NCA's report page: %d", p.status)
	}
}

// TestLedgerExplorerVerifies: the verdict is the server's own check, so
// with another node's key, or none, the same proof is not verified.
func TestLedgerExplorerVerifies(t *testing.T) {
	_, other, err := ledger.GenerateKey("enlace.test/ledger")
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]string{"another node's key": other, "no key": ""} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, func(c *web.Config) { c.LedgerKey = key })
			rep, err := s.x.CreateReport(context.Background(), s.user("dipol-analyst"), sanctionedReport("report--0a1b2c3d-0000-4000-8000-000000000005"))
			if err != nil {
				t.Fatal(err)
			}
			s.checkpoint()
			b := s.browser()
			b.signIn("dipol-analyst")
			p := b.get("/ledger?kind=submission&id=" + rep.ID)
			if p.status != http.StatusOK || !strings.Contains(p.body, `class="error" role="status" id="verdict">N`) || strings.Contains(p.body, "Included in checkpoint") {
				t.Errorf("%d %s", p.status, p.body)
			}
		})
	}
}
