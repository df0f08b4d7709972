package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/auth"
	"github.com/enlace-exchange/enlace/demo"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/ledger"
	"github.com/enlace-exchange/enlace/store/sqlite"
	"github.com/enlace-exchange/enlace/web"
	"golang.org/x/mod/sumdb/note"
)

// clock is a settable clock for sessions.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// site is the pages over a demo world, served on 127.0.0.1, with a
// ledger (signed by a node key, cosigned by a US witness) and an empty
// sanctions list registry.
type site struct {
	t       *testing.T
	url     string
	x       *exchange.Exchange
	ledger  *ledger.Log
	witness string // the witness's cosigner key
	lists   string // the list registry's directory
	clock   *clock
	creds   map[string]demo.Credential
}

// newSite builds the site; opts change its web.Config.
func newSite(t *testing.T, opts ...func(*web.Config)) *site {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "enlace.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	skey, vkey, err := ledger.GenerateKey("enlace.test/ledger")
	if err != nil {
		t.Fatal(err)
	}
	wkey, wpub, err := ledger.GenerateKey("witness.us.example")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := ledger.NewSigner(skey)
	cosigner, _ := ledger.NewCosignatureVerifier(wpub)
	lg, err := ledger.New(ctx, ledger.Config{Store: st, Signer: signer, Origin: "enlace.test/ledger",
		Cosigners: []note.Verifier{cosigner}, Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	lists := t.TempDir()
	x := exchange.New(exchange.Config{Store: st, Ledger: lg, Screening: exchange.NewScreening(lists)})
	cs, err := demo.Seed(ctx, x, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, x: x, ledger: lg, witness: wkey, lists: lists, clock: &clock{t: time.Now()}, creds: map[string]demo.Credential{}}
	for _, c := range cs {
		s.creds[c.Username] = c
	}
	cfg := web.Config{Exchange: x, Now: s.clock.now, IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour, LedgerKey: vkey + "\n"}
	for _, o := range opts {
		o(&cfg)
	}
	srv := httptest.NewServer(web.New(cfg))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *site) user(name string) enlace.User {
	s.t.Helper()
	c := s.creds[name]
	u, err := s.x.Authenticate(context.Background(), auth.Credentials{Username: c.Username, Secret: c.Token})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	s    *site
	c    *http.Client
	csrf string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(method, path string, form url.Values) page {
	b.s.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.url+path, rd)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := page{status: resp.StatusCode, header: resp.Header, body: string(body)}
	if m := csrfRE.FindStringSubmatch(p.body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page { b.s.t.Helper(); return b.do("GET", path, nil) }

// post sends form with the page's anti-forgery token.
func (b *browser) post(path string, form url.Values) page {
	b.s.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf)
	}
	return b.do("POST", path, form)
}

func (b *browser) signIn(name string) page {
	b.s.t.Helper()
	b.get("/signin")
	p := b.post("/signin", url.Values{"username": {name}, "token": {b.s.creds[name].Token}, "next": {"/"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
		b.s.t.Fatalf("sign in as %s: %d %s", name, p.status, p.body)
	}
	b.get("/") // picks up the session's anti-forgery token
	return p
}

func TestSignIn(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	if p := b.get("/reports"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin?next=%2Freports" {
		t.Fatalf("anonymous inbox: %d %v", p.status, p.header)
	}
	b.get("/signin")
	p := b.post("/signin", url.Values{"username": {"dea-analyst"}, "token": {"enl_wrong"}})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `value="dea-analyst"`) || strings.Contains(p.body, "enl_wrong") {
		t.Errorf("wrong token: %d, keeps the user name and drops the token? %s", p.status, p.body)
	}
	// Another user's token with this user name is refused too.
	p = b.post("/signin", url.Values{"username": {"dea-analyst"}, "token": {s.creds["co-authority"].Token}})
	if p.status != http.StatusUnauthorized {
		t.Errorf("another's token: %d", p.status)
	}
	p = b.signIn("dea-analyst")
	var ck *http.Cookie
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "enlace_session" {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || len(ck.Value) != 43 {
		t.Fatalf("session cookie %+v", ck)
	}
	home := b.get("/")
	if home.status != http.StatusOK || !strings.Contains(home.body, "dea-analyst · DEA (US)") || !strings.Contains(home.body, `id="cell-CO-US"`) {
		t.Errorf("dashboard: %d %s", home.status, home.body)
	}
	if strings.Contains(home.body, "/directives") {
		t.Error("an analyst's menu links to the directive console")
	}
	if p := b.get("/directives"); p.status != http.StatusForbidden {
		t.Errorf("analyst opens the console: %d", p.status)
	}
	if p := b.get("/nowhere"); p.status != http.StatusNotFound {
		t.Errorf("unknown page: %d", p.status)
	}
}

func TestSignInFormNeedsItsCookie(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	p := b.do("POST", "/signin", url.Values{"username": {"dea-analyst"}, "token": {s.creds["dea-analyst"].Token}, "csrf": {"forged"}})
	if p.status != http.StatusForbidden {
		t.Errorf("sign-in without the form's cookie: %d", p.status)
	}
}

func TestCSRFRefused(t *testing.T) {
	s := newSite(t)
	co := s.browser()
	co.signIn("co-authority")
	other := s.browser()
	other.signIn("co-authority")
	form := func(csrf string) url.Values {
		return url.Values{"csrf": {csrf}, "action": {"suspend"}, "from": {"nation:CO"}, "to": {"nation:US"}, "mode": {"all"}, "reason": {"strikes"}}
	}
	for name, token := range map[string]string{"none": "", "forged": "x", "another session's": other.csrf} {
		f := form(token)
		if token == "" {
			f.Del("csrf")
		}
		p := co.do("POST", "/directives", f)
		if p.status != http.StatusForbidden {
			t.Errorf("%s token: %d", name, p.status)
		}
	}
	// A request another site makes the browser send is refused even with
	// the right token.
	req, _ := http.NewRequest("POST", s.url+"/directives", strings.NewReader(form(co.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := co.c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin post: %v %v", resp.StatusCode, err)
	}
	if ds, _ := s.x.Directives(context.Background(), s.user("co-authority")); len(ds) != 0 {
		t.Fatalf("a refused form issued %v", ds)
	}
	if p := co.post("/directives", form("")); p.status != http.StatusSeeOther {
		t.Fatalf("with the token: %d %s", p.status, p.body)
	}
	if p := co.get("/directives?issued=D-1"); !strings.Contains(p.body, `id="issued"`) {
		t.Error("no notice of D-1")
	}
	if p := co.get("/directives?issued=D-9"); strings.Contains(p.body, `id="issued"`) {
		t.Error("a notice of a directive that does not exist")
	}
	if p := co.get("/"); !strings.Contains(p.body, `id="cell-CO-US" data-state="suspended"`) || !strings.Contains(p.body, "by D-1") {
		t.Errorf("matrix after D-1: %s", p.body)
	}
}

func TestSessionExpiryAndSignOut(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("dea-analyst")
	s.clock.add(29 * time.Minute)
	if p := b.get("/"); p.status != http.StatusOK {
		t.Fatalf("within the idle time: %d", p.status)
	}
	s.clock.add(31 * time.Minute)
	if p := b.get("/"); p.status != http.StatusSeeOther {
		t.Fatalf("after the idle time: %d", p.status)
	}

	b.signIn("dea-analyst")
	u, _ := url.Parse(s.url)
	old := b.c.Jar.Cookies(u)
	if p := b.post("/signout", url.Values{}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin" {
		t.Fatalf("sign out: %d", p.status)
	}
	if p := b.get("/"); p.status != http.StatusSeeOther {
		t.Errorf("after sign-out: %d", p.status)
	}
	// Replaying the old cookie does not bring the session back.
	replay := s.browser()
	replay.c.Jar.SetCookies(u, old)
	if p := replay.get("/"); p.status != http.StatusSeeOther {
		t.Errorf("replayed cookie after sign-out: %d", p.status)
	}

	// Sessions end at MaxAge even when used.
	b.signIn("dea-analyst")
	for range 25 {
		s.clock.add(29 * time.Minute)
		b.get("/")
	}
	if p := b.get("/"); p.status != http.StatusSeeOther {
		t.Errorf("after 12 hours: %d", p.status)
	}
}

// TestPagesRespectPolicy: a report DEA may not see is a 404 page exactly
// like one that does not exist, and no list shows it.
func TestPagesRespectPolicy(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	// A TLP:RED report for HSI only, above what the agreement carries:
	// hidden from DEA.
	hidden, err := s.x.CreateReport(ctx, s.user("dipol-analyst"), enlace.Report{
		ID: "report--0a1b2c3d-0000-4000-8000-000000000001", Title: "Go-fast for HSI eyes only",
		Markings: enlace.Markings{TLP: enlace.TLPRed, Recipients: []string{"HSI"}},
		Grading:  enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dea := s.browser()
	dea.signIn("dea-analyst")
	missing := dea.get("/reports/report--0a1b2c3d-0000-4000-8000-00000000ffff?purpose=seizure")
	got := dea.get("/reports/" + hidden.ID + "?purpose=seizure")
	if got.status != http.StatusNotFound || missing.status != http.StatusNotFound {
		t.Fatalf("hidden report: %d, missing report: %d", got.status, missing.status)
	}
	if strings.Contains(got.body, hidden.Title) || strings.ReplaceAll(got.body, hidden.ID, "X") != strings.ReplaceAll(missing.body, "report--0a1b2c3d-0000-4000-8000-00000000ffff", "X") {
		t.Errorf("the hidden report's page differs from a missing one's:\n%s\n---\n%s", got.body, missing.body)
	}
	inbox := dea.get("/reports?purpose=seizure&origin=nation:CO")
	if inbox.status != http.StatusOK || !strings.Contains(inbox.body, `data-nation="CO"`) || strings.Contains(inbox.body, hidden.ID) {
		t.Errorf("DEA's inbox: %d, lists the hidden report? %v", inbox.status, strings.Contains(inbox.body, hidden.ID))
	}
	dipol := s.browser()
	dipol.signIn("dipol-analyst")
	if p := dipol.get("/reports/" + hidden.ID + "?purpose=seizure"); p.status != http.StatusOK || !strings.Contains(p.body, hidden.Title) {
		t.Errorf("the originator reads its report: %d", p.status)
	}

	// A report DEA received before and may no longer read: 403 with the
	// directive's words.
	m := regexp.MustCompile(`data-nation="CO" data-id="([^"]+)"`).FindStringSubmatch(inbox.body)
	if m == nil {
		t.Fatal("no CO report in DEA's inbox")
	}
	if _, err := s.x.IssueDirective(ctx, s.user("co-authority"), enlace.Directive{
		Action: enlace.ActionSuspend, From: enlace.NationScope("CO"), To: enlace.NationScope("US"), Purposes: enlace.AllPurposes, Reason: "strikes continue",
	}); err != nil {
		t.Fatal(err)
	}
	if p := dea.get("/reports/" + m[1] + "?purpose=seizure"); p.status != http.StatusForbidden || !strings.Contains(p.body, "denied by directive D-1") {
		t.Errorf("known report after D-1: %d %s", p.status, p.body)
	}
	if p := dea.get("/reports?purpose=seizure&origin=nation:CO"); strings.Contains(p.body, `data-nation="CO"`) {
		t.Error("DEA's inbox lists CO reports after D-1")
	}
	// Nor do consents leak it: asking about the hidden report is the
	// same not-found as asking about one that does not exist.
	p := dea.post("/consents", url.Values{"report": {hidden.ID}, "recipient": {"NCA"}, "purposes": {"seizure"}})
	if p.status != http.StatusNotFound || strings.Contains(p.body, hidden.Title) {
		t.Errorf("consent about the hidden report: %d", p.status)
	}
}

func TestFormsKeepInput(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("dipol-analyst")
	p := b.post("/reports", url.Values{
		"title": {"Semi-submersible off Tumaco"}, "description": {"Seen at dawn."}, "tlp": {"amber"},
		"handling": {"siena:H0", "siena:H2"}, "scheme": {"admiralty"}, "source": {"Z"}, "information": {"9"},
	})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "source must be A-F") {
		t.Fatalf("bad grading: %d %s", p.status, p.body)
	}
	for _, want := range []string{`value="Semi-submersible off Tumaco"`, "Seen at dawn.", `value="siena:H2" checked`, `value="Z"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the form lost %s", want)
		}
	}
	p = b.post("/reports", url.Values{
		"title": {"Semi-submersible off Tumaco"}, "tlp": {"amber"}, "scheme": {"admiralty"}, "source": {"B"}, "information": {"2"},
	})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/reports/report--") {
		t.Fatalf("good report: %d %s", p.status, p.body)
	}
	if r := b.get(p.header.Get("Location") + "?purpose=investigation"); r.status != http.StatusOK || !strings.Contains(r.body, "Semi-submersible off Tumaco") {
		t.Errorf("new report's page: %d", r.status)
	}

	co := s.browser()
	co.signIn("co-authority")
	p = co.post("/directives/preview", url.Values{"action": {"reinstate"}, "from": {"nation:CO"}, "to": {"nation:US"}, "mode": {"only"}, "reason": {"", ""}, "legal": {"Decree 1 (demo)"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `value="Decree 1 (demo)"`) || !strings.Contains(p.body, `id="form-error"`) {
		t.Errorf("directive without purposes or reason: %d", p.status)
	}
}

func TestDirectivePreview(t *testing.T) {
	s := newSite(t)
	co := s.browser()
	co.signIn("co-authority")
	p := co.post("/directives/preview", url.Values{"action": {"suspend"}, "from": {"nation:CO"}, "to": {"nation:US"}, "mode": {"all"}, "reason": {"strikes"}})
	m := regexp.MustCompile(`(\d+) agencies and (\d+) reports affected`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil || m[1] == "0" || m[2] == "0" {
		t.Fatalf("preview: %d %v", p.status, m)
	}
	if ds, _ := s.x.Directives(context.Background(), s.user("co-authority")); len(ds) != 0 {
		t.Fatal("the preview issued a directive")
	}
	if !strings.Contains(p.body, `id="confirm"`) {
		t.Fatal("no confirm button")
	}
}

func TestConsents(t *testing.T) {
	s := newSite(t)
	rep, err := s.x.CreateReport(context.Background(), s.user("dipol-analyst"), enlace.Report{
		ID: "report--0a1b2c3d-0000-4000-8000-000000000002", Title: "Crew list of a go-fast",
		Markings: enlace.Markings{TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H0, enlace.H2}},
		Grading:  enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dea := s.browser()
	dea.signIn("dea-liaison")
	if p := dea.get("/reports/" + rep.ID + "?purpose=investigation"); p.status != http.StatusOK {
		t.Fatalf("DEA reads the report: %d", p.status)
	}
	dea.get("/consents")
	p := dea.post("/consents", url.Values{"report": {rep.ID}, "recipient": {"NCA"}, "note": {"for the UK case"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `value="`+rep.ID+`"`) || !strings.Contains(p.body, `value="for the UK case"`) {
		t.Errorf("consent without purposes: %d", p.status)
	}
	if p := dea.post("/consents", url.Values{"report": {rep.ID}, "recipient": {"NCA"}, "purposes": {"investigation"}}); p.status != http.StatusSeeOther {
		t.Fatalf("ask for consent: %d %s", p.status, p.body)
	}
	if p := dea.get("/consents"); !strings.Contains(p.body, `id="consent-1"`) || !strings.Contains(p.body, "requested") {
		t.Errorf("DEA's consents page: %s", p.body)
	}

	analyst := s.browser()
	analyst.signIn("dipol-analyst")
	if p := analyst.post("/consents/1/decision", url.Values{"status": {"granted"}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "Consent #1:") {
		t.Errorf("an analyst answers: %d", p.status)
	}
	liaison := s.browser()
	liaison.signIn("dipol-liaison")
	if p := liaison.get("/"); !strings.Contains(p.body, "Consent #1") {
		t.Error("the originator's dashboard shows no pending consent")
	}
	if p := liaison.post("/consents/1/decision", url.Values{"status": {"granted"}, "granted": {"investigation"}}); p.status != http.StatusSeeOther {
		t.Fatalf("grant: %d %s", p.status, p.body)
	}
	if p := dea.get("/consents"); !strings.Contains(p.body, "consent-granted") {
		t.Error("DEA does not see the grant")
	}
	// A consent one is no party to is not found.
	gb := s.browser()
	gb.signIn("gb-authority")
	if p := gb.post("/consents/1/decision", url.Values{"status": {"denied"}}); p.status != http.StatusNotFound {
		t.Errorf("GB answers CO's consent: %d", p.status)
	}
}

func TestInboxFilters(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("dea-analyst")
	if p := b.get("/reports"); p.status != http.StatusOK || !strings.Contains(p.body, `id="prompt"`) {
		t.Errorf("inbox without a purpose: %d", p.status)
	}
	all := b.get("/reports?purpose=interdiction")
	green := b.get("/reports?purpose=interdiction&tlp=green")
	if strings.Count(green.body, "TLP:green") == 0 || strings.Contains(green.body, "TLP:amber<") || strings.Count(all.body, "data-id=") <= strings.Count(green.body, "data-id=") {
		t.Errorf("TLP filter: %d of %d listed", strings.Count(green.body, "data-id="), strings.Count(all.body, "data-id="))
	}
	// The purpose declared last is kept for the session.
	if p := b.get("/reports?origin=agency:DIPOL"); !strings.Contains(p.body, "for <strong>interdiction</strong>") || strings.Contains(p.body, `data-nation="US"`) {
		t.Errorf("origin filter with the session's purpose: %s", p.body)
	}
	if p := b.get("/reports?purpose=interdiction&from=yesterday&tlp=green"); p.status != http.StatusBadRequest || !strings.Contains(p.body, `value="yesterday"`) {
		t.Errorf("bad date: %d", p.status)
	}
	if p := b.get("/reports?purpose=gossip"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "unknown purpose") {
		t.Errorf("unknown purpose: %d %s", p.status, p.body)
	}
	future := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	if p := b.get("/reports?purpose=interdiction&from=" + future); strings.Contains(p.body, "data-id=") {
		t.Error("reports from the future")
	}
}

func TestScreeningPage(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("dea-analyst")
	if p := b.get("/screening?name=Aurelio+Ficticio"); p.status != http.StatusOK || !strings.Contains(p.body, "no list loaded") {
		t.Errorf("screening without lists: %d", p.status)
	}
	if p := b.get("/screening?name=&imo="); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="form-error"`) {
		t.Errorf("empty query: %d", p.status)
	}
}

func TestHeaders(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("dea-analyst")
	p := b.get("/")
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", p.header)
	}
	for _, f := range []string{"/static/htmx.min.js", "/static/enlace.css"} {
		if p := s.browser().get(f); p.status != http.StatusOK || len(p.body) < 1000 {
			t.Errorf("%s: %d, %d bytes", f, p.status, len(p.body))
		}
	}
}
