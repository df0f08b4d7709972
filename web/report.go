package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/screen"
)

// inboxPage is the size of a page of the inbox.
const inboxPage = 50

// inboxFilter is the inbox's filter form, as typed.
type inboxFilter struct {
	Purpose string
	Origin  string // "", "nation:CO" or "agency:DIPOL"
	TLP     string
	From    string // published on or after, YYYY-MM-DD
	To      string // published on or before, YYYY-MM-DD
	After   string // cursor
}

func (f inboxFilter) query(after int64) string {
	v := url.Values{}
	for k, s := range map[string]string{"purpose": f.Purpose, "origin": f.Origin, "tlp": f.TLP, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if after > 0 {
		v.Set("after", strconv.FormatInt(after, 10))
	}
	return v.Encode()
}

// purpose returns the purpose declared on the page, or failing that the
// last one declared in this session, and remembers it.
func (s *server) purpose(r *http.Request, c *call) string {
	p := r.URL.Query().Get("purpose")
	if p == "" {
		return string(c.session.purpose)
	}
	if s.x.Vocabulary().Known(enlace.Purpose(p)) {
		s.sessions.setPurpose(c.id, enlace.Purpose(p))
	}
	return p
}

// origins lists the origin filter's choices.
func (s *server) origins(ctx context.Context) ([]option, error) {
	nations, err := s.x.Nations(ctx)
	if err != nil {
		return nil, err
	}
	agencies, err := s.x.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, n := range nations {
		out = append(out, option{scopeValue(enlace.NationScope(n.Code)), n.Name})
		for _, a := range agencies {
			if a.Nation == n.Code {
				out = append(out, option{scopeValue(enlace.AgencyScope(a.ID)), "— " + a.ID})
			}
		}
	}
	return out, nil
}

var tlpLevels = []string{"clear", "green", "amber", "amber+strict", "red"}

// inbox lists the reports released to the user's agency for the purpose
// declared on the page, by origin, TLP and publication date. The origin
// goes to the exchange; TLP and dates narrow the page the exchange
// returned, because its report filter has no such fields: the reports of
// that page are released (and recorded) for the declared purpose even when
// the page does not show them.
func (s *server) inbox(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := inboxFilter{Purpose: s.purpose(r, c), Origin: q.Get("origin"), TLP: q.Get("tlp"), From: q.Get("from"), To: q.Get("to"), After: q.Get("after")}
	origins, err := s.origins(ctx)
	if err != nil {
		return err
	}
	data := map[string]any{"Filter": f, "Origins": origins, "Purposes": s.x.Vocabulary().Purposes(), "TLPs": tlpLevels}
	status := http.StatusOK
	show := func() error {
		s.render(w, r, c, status, "inbox", "Inbox", data)
		return nil
	}
	if f.Purpose == "" {
		data["Prompt"] = true
		return show()
	}
	var rf enlace.ReportFilter
	var from, to time.Time
	var tlp enlace.TLP
	var problems []string
	sc := parseScope(f.Origin)
	switch sc.Kind() {
	case enlace.ScopeNation:
		rf.Nation = sc.Nation
	case enlace.ScopeAgency:
		rf.Originator = sc.Agency
	default:
		if f.Origin != "" {
			problems = append(problems, "unknown origin "+f.Origin)
		}
	}
	if f.TLP != "" {
		if tlp, err = enlace.ParseTLP(f.TLP); err != nil {
			problems = append(problems, enlace.ErrorMessage(err))
		}
	}
	if f.From != "" {
		if from, err = time.Parse("2006-01-02", f.From); err != nil {
			problems = append(problems, "from: a date such as 2025-11-10")
		}
	}
	if f.To != "" {
		if to, err = time.Parse("2006-01-02", f.To); err != nil {
			problems = append(problems, "to: a date such as 2025-11-10")
		}
		to = to.Add(24 * time.Hour)
	}
	if f.After != "" {
		if rf.AfterSeq, err = strconv.ParseInt(f.After, 10, 64); err != nil || rf.AfterSeq < 0 {
			problems = append(problems, "invalid page cursor")
		}
	}
	if len(problems) > 0 {
		data["Error"], status = strings.Join(problems, "; "), http.StatusBadRequest
		return show()
	}
	rf.Limit = inboxPage
	page, err := s.x.List(ctx, c.User(), f.Purpose, rf)
	if err != nil {
		if enlace.ErrorCode(err) == enlace.EInvalid {
			data["Error"], status = enlace.ErrorMessage(err), http.StatusBadRequest
			return show()
		}
		return err
	}
	var shown []enlace.Report
	for _, rep := range page.Reports {
		switch {
		case f.TLP != "" && rep.Markings.TLP != tlp:
		case !from.IsZero() && rep.Published.Before(from):
		case !to.IsZero() && !rep.Published.Before(to):
		default:
			shown = append(shown, rep)
		}
	}
	data["Reports"] = shown
	if page.Next > 0 {
		data["More"] = "/reports?" + f.query(page.Next)
	}
	return show()
}

// reportForm is the composer's form, as typed.
type reportForm struct {
	Title, Description string
	TLP                string
	Handling           []string // "siena:H0", ...
	H3Text             string
	Allowed            []string
	Prohibited         []string
	Onward             string
	NoJudicial         bool
	Recipients         string
	Scheme             string
	Source             string
	Information        string
	GHandling          string
	DerivedFrom        string
	Error              string
}

// handlingCodes are the composer's handling code choices.
var handlingCodes = []option{
	{enlace.H0.Key(), "SIENA H0: only for preventing and combating crime"},
	{enlace.H1.Key(), "SIENA H1: not in judicial proceedings without permission"},
	{enlace.H2.Key(), "SIENA H2: not to be disseminated without permission"},
	{enlace.H3.Key(), "SIENA H3: other restrictions (say which)"},
	{enlace.ORCON.Key(), "US ORCON: originator controls further release"},
}

func readReportForm(r *http.Request) reportForm {
	_ = r.ParseForm()
	p := r.PostFormValue
	return reportForm{
		Title: strings.TrimSpace(p("title")), Description: strings.TrimSpace(p("description")), TLP: p("tlp"),
		Handling: r.PostForm["handling"], H3Text: strings.TrimSpace(p("h3text")),
		Allowed: r.PostForm["allowed"], Prohibited: r.PostForm["prohibited"], Onward: p("onward"),
		NoJudicial: p("nojudicial") != "", Recipients: strings.TrimSpace(p("recipients")),
		Scheme: p("scheme"), Source: strings.TrimSpace(p("source")), Information: strings.TrimSpace(p("information")),
		GHandling: strings.TrimSpace(p("ghandling")), DerivedFrom: strings.TrimSpace(p("derived")),
	}
}

// report turns the form into a report, or says what is wrong.
func (f reportForm) report() (enlace.Report, error) {
	rep := enlace.Report{ID: newReportID(), Title: f.Title, Description: f.Description}
	if f.TLP == "" {
		return rep, enlace.Errorf(enlace.EInvalid, "choose a TLP level")
	}
	tlp, err := enlace.ParseTLP(f.TLP)
	if err != nil {
		return rep, err
	}
	rep.Markings.TLP = tlp
	for _, h := range f.Handling {
		scheme, code, _ := strings.Cut(h, ":")
		hc := enlace.HandlingCode{Scheme: scheme, Code: code}
		if hc.Key() == enlace.H3.Key() {
			hc.Text = f.H3Text
		}
		rep.Markings.Handling = append(rep.Markings.Handling, hc)
	}
	for _, p := range f.Allowed {
		rep.Markings.UseRestriction.AllowedPurposes = append(rep.Markings.UseRestriction.AllowedPurposes, enlace.Purpose(p))
	}
	for _, p := range f.Prohibited {
		rep.Markings.UseRestriction.ProhibitedPurposes = append(rep.Markings.UseRestriction.ProhibitedPurposes, enlace.Purpose(p))
	}
	rep.Markings.UseRestriction.Onward = f.Onward
	rep.Markings.UseRestriction.NoJudicialUse = f.NoJudicial
	rep.Markings.Recipients = strings.FieldsFunc(f.Recipients, func(r rune) bool { return r == ',' || r == ' ' })
	rep.Grading = enlace.Grading{Scheme: f.Scheme, Source: strings.ToUpper(f.Source), Information: strings.ToUpper(f.Information), Handling: strings.ToUpper(f.GHandling)}
	rep.DerivedFrom = strings.Fields(f.DerivedFrom)
	return rep, nil
}

// newReportID returns a fresh report--<uuid v4>.
func newReportID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("report--%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *server) showComposer(w http.ResponseWriter, r *http.Request, c *call, status int, f reportForm) {
	s.render(w, r, c, status, "composer", "New report", map[string]any{
		"Form": f, "TLPs": tlpLevels, "Handling": handlingCodes, "Purposes": s.x.Vocabulary().Purposes(),
		"Onward":  []option{{"", "the agreement's rule"}, {enlace.OnwardNone, "none"}, {enlace.OnwardConsent, "with the originator's consent"}, {enlace.OnwardFree, "free within the agreement"}},
		"Schemes": []option{{enlace.GradingAdmiralty, "Admiralty / NATO (A–F, 1–6)"}, {enlace.GradingEuropol, "Europol (A, B, C, X; 1–4)"}, {enlace.GradingUK3x5x2, "UK 3x5x2 (1–3, A–E, P/C)"}},
	})
}

func (s *server) composer(w http.ResponseWriter, r *http.Request, c *call) error {
	s.showComposer(w, r, c, http.StatusOK, reportForm{TLP: "amber", Scheme: enlace.GradingAdmiralty, Handling: []string{enlace.H0.Key()}})
	return nil
}

func (s *server) createReport(w http.ResponseWriter, r *http.Request, c *call) error {
	f := readReportForm(r)
	rep, err := f.report()
	if err == nil {
		rep, err = s.x.CreateReport(r.Context(), c.User(), rep)
	}
	if err != nil {
		msg, status, ok := formError(err)
		if !ok {
			return err
		}
		f.Error = msg
		s.showComposer(w, r, c, status, f)
		return nil
	}
	s.log.InfoContext(r.Context(), "web: report created", "user", c.User().Username, "report", rep.ID)
	redirect(w, r, "/reports/"+rep.ID)
	return nil
}

// hitView is a screening hit with its explanation decoded.
type hitView struct {
	enlace.ScreeningHit
	Explained screen.Explanation
}

// stixObject is the head of a STIX object, for the report page.
type stixObject struct {
	Type, ID, Name, Description string
}

func (s *server) report(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	id := r.PathValue("id")
	purpose := s.purpose(r, c)
	data := map[string]any{"ID": id, "Purpose": purpose, "Purposes": s.x.Vocabulary().Purposes()}
	if purpose == "" {
		// Nothing is asked of the exchange until a purpose is declared,
		// so this page says nothing about whether the report exists.
		data["Prompt"] = true
		s.render(w, r, c, http.StatusOK, "report", "Report", data)
		return nil
	}
	rep, d, err := s.x.Read(ctx, c.User(), id, purpose)
	if err != nil {
		if enlace.ErrorCode(err) == enlace.EForbidden && len(d.Reasons) > 0 {
			return &deniedError{err: err, reasons: d.Reasons}
		}
		return err
	}
	rels, err := s.x.Releases(ctx, c.User(), enlace.ReleaseFilter{ReportID: rep.ID})
	if err != nil {
		return err
	}
	var objs []stixObject
	for _, raw := range rep.Objects {
		var o stixObject
		_ = json.Unmarshal(raw, &o)
		objs = append(objs, o)
	}
	hits, err := s.x.ScreeningHits(ctx, c.User(), rep.ID, purpose)
	if err != nil {
		return err
	}
	var hvs []hitView
	for _, h := range hits {
		hv := hitView{ScreeningHit: h}
		_ = json.Unmarshal(h.Explanation, &hv.Explained)
		hvs = append(hvs, hv)
	}
	data["Report"], data["Decision"], data["Releases"], data["Objects"], data["Hits"] = rep, d, rels, objs, hvs
	data["Own"] = rep.Originator == c.User().Agency
	s.render(w, r, c, http.StatusOK, "report", rep.Title, data)
	return nil
}
