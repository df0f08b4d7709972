package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// rowsOf returns the values of attr on the rows of the table with id.
func rowsOf(body, id, attr string) []string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return nil
	}
	table := body[i:]
	table = table[:strings.Index(table, "</table>")]
	var out []string
	for _, m := range regexp.MustCompile(`<tr `+attr+`="([^"]*)"`).FindAllStringSubmatch(table, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestAccountingPage asks the seed report's question through the page:
// the US authority sees what JIATF-South's US members used, 85.2% of it
// Colombian; the CO authority sees DIPOL's part and what Colombian
// intelligence fed the US members; DEA sees only its own.
func TestAccountingPage(t *testing.T) {
	s := newSite(t)
	us := s.browser()
	us.signIn("us-authority")
	p := us.get("/accounting?consumer=task_force:JIATF-South")
	if p.status != http.StatusOK {
		t.Fatalf("accounting: %d %s", p.status, p.body)
	}
	for _, want := range []string{
		`Not counted, not yours to account for: DIPOL.`,
		`<svg class="chart" id="chart-nations"`, `<title id="chart-nations-title">`, `<desc id="chart-nations-desc">CO `,
		`id="chart-agencies"`, `id="chart-series"`, `id="chart-kg"`, `id="chart-strikes"`,
		`agencies counted: DEA, FBI, HSI`, `href="/accounting.csv?figure=shares&amp;consumer=task_force%3AJIATF-South`,
		`aria-current="page">Accounting`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("US authority's page lacks %q", want)
		}
	}
	// Every figure is the exchange's, and says what it counts.
	sh, err := s.x.Shares(context.Background(), s.user("us-authority"), enlace.TaskForceScope("JIATF-South"), exchange.Window{})
	if err != nil {
		t.Fatal(err)
	}
	// The seed report's 85%: on the demo world, about that.
	co := -1.0
	for _, n := range sh.Nations {
		if n.Nation == "CO" {
			co = n.Share
		}
	}
	figure := strconv.FormatFloat(co*100, 'f', 1, 64) + "%"
	t.Logf("CO share of JIATF-South US members' used intelligence: %s", figure)
	if co < 0.8 || co > 0.9 || !strings.Contains(p.body, `<tr data-nation="CO"><td>CO</td><td class="share">`+figure+`</td>`) {
		t.Errorf("CO share %s, shown as the exchange computes it?", figure)
	}
	if !strings.Contains(p.body, `<p class="counts" id="shares-counts"><strong>Counts:</strong> share of reports cited`) {
		t.Error("no counts sentence under the shares")
	}
	if got := rowsOf(p.body, "nation-shares", "data-nation"); len(got) != len(sh.Nations) {
		t.Errorf("nations on the page %v, the exchange's %+v", got, sh.Nations)
	}
	if !strings.Contains(p.body, `id="outcomes-counts"`) || !strings.Contains(p.body, `id="series-counts"`) {
		t.Error("outcomes or series without counts")
	}

	cob := s.browser()
	cob.signIn("co-authority")
	p = cob.get("/accounting?consumer=task_force:JIATF-South")
	if !strings.Contains(p.body, "agencies counted: DIPOL)") || !strings.Contains(p.body, "Not counted, not yours to account for: DEA, FBI, HSI.") {
		t.Errorf("CO authority's JIATF-South shares:\n%s", p.body)
	}
	// The US is not CO's to account for; what CO intelligence fed it is.
	p = cob.get("/accounting?consumer=nation:US")
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="shares-denied"`) || strings.Contains(p.body, `id="chart-nations"`) {
		t.Errorf("CO authority on the US: %d, denied? %v", p.status, strings.Contains(p.body, `id="shares-denied"`))
	}
	nations := rowsOf(p.body, "outcome-table", `data-originator="[^"]*" data-nation`)
	if len(nations) == 0 || slices.ContainsFunc(nations, func(n string) bool { return n != "CO" }) {
		t.Errorf("CO authority's outcome rows of US uses by nation: %v", nations)
	}

	dea := s.browser()
	dea.signIn("dea-analyst")
	p = dea.get("/accounting")
	if !strings.Contains(p.body, `<option value="nation:US" selected>`) || !strings.Contains(p.body, "agencies counted: DEA)") {
		t.Errorf("DEA's default: its nation, counting DEA only:\n%s", p.body)
	}
	mine := p.body[strings.Index(p.body, `label="Yours to account for"`):strings.Index(p.body, `label="Others`)]
	if strings.Contains(mine, "agency:HSI") || !strings.Contains(mine, "task_force:JIATF-South") {
		t.Errorf("DEA's own consumers: %s", mine)
	}
	p = dea.get("/accounting?consumer=agency:HSI")
	if !strings.Contains(p.body, `id="shares-denied"`) {
		t.Error("DEA sees HSI's shares")
	}
	for _, o := range rowsOf(p.body, "outcome-table", "data-originator") {
		if o != "DEA" {
			t.Errorf("DEA sees what %s intelligence fed HSI", o)
		}
	}
}

func TestAccountingWindowErrors(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("us-authority")
	for _, tc := range []struct{ query, want string }{
		{"consumer=nation:US&from=2026-02-30&to=2026-03-01", "from: a date such as"},
		{"consumer=nation:US&from=2026-03-01&to=2026-02-01", "to must be on or after from"},
		{"consumer=nation:US&from=2020-01-01&to=2026-01-01&step=week", "more than 60 weeks"},
		{"consumer=nation:US&from=2026-01-01&to=2026-02-01&step=fortnight", "step: week or month"},
		{"consumer=agency:NOPE&from=2026-01-01&to=2026-02-01", "unknown agency NOPE"},
	} {
		p := b.get("/accounting?" + tc.query)
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="form-error"`) || !strings.Contains(p.body, tc.want) {
			t.Errorf("%s: %d, want a form error %q", tc.query, p.status, tc.want)
			continue
		}
		for _, kept := range regexp.MustCompile(`(from|to)=([^&]+)`).FindAllStringSubmatch(tc.query, -1) {
			if !strings.Contains(p.body, `name="`+kept[1]+`" id="`+kept[1]+`" value="`+kept[2]+`"`) {
				t.Errorf("%s: the form lost %s=%s", tc.query, kept[1], kept[2])
			}
		}
	}
}

func TestAccountingCSV(t *testing.T) {
	s := newSite(t)
	path := "/accounting.csv?figure=shares&consumer=task_force:JIATF-South&from=2000-01-01&to=2100-01-01&step=month"
	if p := s.browser().get(path); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/signin") {
		t.Fatalf("CSV without a session: %d %v", p.status, p.header)
	}
	b := s.browser()
	b.signIn("us-authority")
	p := b.get(path)
	rows, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if p.status != http.StatusOK || err != nil || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") || len(rows) < 3 ||
		!slices.Equal(rows[0], []string{"nation", "originator", "citations", "weight", "share", "counts"}) {
		t.Fatalf("CSV: %d %v %q", p.status, err, p.body)
	}
	if !strings.Contains(rows[1][5], "JIATF-South") || !strings.Contains(p.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV counts %q, disposition %q", rows[1][5], p.header.Get("Content-Disposition"))
	}
	if p := b.get(strings.Replace(path, "figure=shares", "figure=outcomes", 1)); p.status != http.StatusOK || !strings.HasPrefix(p.body, "nation,originator,kind,outcomes") {
		t.Errorf("outcomes CSV: %d %q", p.status, p.body)
	}
	dea := s.browser()
	dea.signIn("dea-analyst")
	if p := dea.get(strings.Replace(path, "task_force:JIATF-South", "agency:HSI", 1)); p.status != http.StatusForbidden {
		t.Errorf("DEA's CSV of HSI's shares: %d", p.status)
	}
	if p := dea.get("/accounting.csv?figure=trail&report=report--0a1b2c3d-0000-4000-8000-00000000ffff"); p.status != http.StatusNotFound {
		t.Errorf("trail CSV of a missing report: %d", p.status)
	}
}

// TestSearchInbox: DEA finds a CO report by its words for interdiction,
// marked where it matched, and never one hidden from it.
func TestSearchInbox(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	mk := func(id, title string, m enlace.Markings) {
		if _, err := s.x.CreateReport(ctx, s.user("dipol-analyst"), enlace.Report{
			ID: id, Title: title, Description: "Synthetic: <b>tortuga</b> seen near Tumaco.", Markings: m,
			Grading: enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	mk("report--0a1b2c3d-0000-4000-8000-0000000000a1", "Quelonio go-fast leaving Tumaco", enlace.Markings{TLP: enlace.TLPGreen})
	mk("report--0a1b2c3d-0000-4000-8000-0000000000a2", "Quelonio for HSI eyes only", enlace.Markings{TLP: enlace.TLPRed, Recipients: []string{"HSI"}})
	b := s.browser()
	b.signIn("dea-analyst")
	p := b.get("/reports?purpose=interdiction&q=quelonio")
	if p.status != http.StatusOK || !strings.Contains(p.body, `data-id="report--0a1b2c3d-0000-4000-8000-0000000000a1"`) ||
		!strings.Contains(p.body, "<mark>Quelonio</mark>") {
		t.Errorf("DEA's search: %d\n%s", p.status, p.body)
	}
	if strings.Contains(p.body, "0000000000a2") || strings.Contains(p.body, "eyes only") {
		t.Error("DEA's search shows the report hidden from it")
	}
	p = b.get("/reports?purpose=interdiction&q=tortuga")
	if strings.Contains(p.body, "<b>") || !strings.Contains(p.body, "&lt;b&gt;<mark>tortuga</mark>") && !strings.Contains(p.body, "<mark>tortuga</mark>") {
		t.Errorf("a snippet's markup is not escaped:\n%s", p.body)
	}
	if p := b.get("/reports?purpose=interdiction&q=eyes+only"); strings.Contains(p.body, "0000000000a2") || !strings.Contains(p.body, `id="no-results"`) {
		t.Error("searching the hidden report's own words finds it")
	}
}

// TestReportTrail: the originator sees every use of its report on the
// report's page; a recipient sees only its own side's.
func TestReportTrail(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	uses, err := s.x.Uses(ctx, s.user("dea-analyst"), enlace.UseFilter{Agency: "DEA"})
	if err != nil {
		t.Fatal(err)
	}
	var rep enlace.UseReport
	for _, u := range uses {
		for _, r := range u.Reports {
			if r.Originator == "DIPOL" {
				rep = r
			}
		}
	}
	if rep.ReportID == "" {
		t.Fatal("no DEA use of a DIPOL report in the demo world")
	}
	dipol := s.browser()
	dipol.signIn("dipol-analyst")
	p := dipol.get("/reports/" + rep.ReportID + "?purpose=investigation")
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="trail-uses"`) || !strings.Contains(p.body, "DEA (US)") ||
		!strings.Contains(p.body, `id="trail-counts"`) || !strings.Contains(p.body, "you are on the originating side") {
		t.Errorf("DIPOL's trail of its report: %d\n%s", p.status, p.body)
	}
	csvPath := regexp.MustCompile(`href="(/accounting\.csv\?figure=trail[^"]*)"`).FindStringSubmatch(p.body)
	if csvPath == nil {
		t.Fatal("no trail CSV link")
	}
	if c := dipol.get(strings.ReplaceAll(csvPath[1], "&amp;", "&")); c.status != http.StatusOK || !strings.HasPrefix(c.body, "record,id,agency") {
		t.Errorf("trail CSV: %d %q", c.status, c.body)
	}
	hsi := s.browser()
	hsi.signIn("hsi-analyst")
	p = hsi.get("/reports/" + rep.ReportID + "?purpose=seizure")
	if p.status == http.StatusOK && strings.Contains(p.body, `id="trail"`) {
		i := strings.Index(p.body, `id="trail"`)
		if strings.Contains(p.body[i:], "DEA (US)") {
			t.Error("HSI sees DEA's use of the report in its trail")
		}
	}
}
