package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the Chromium to drive: $ENLACE_CHROMIUM, else
// /usr/bin/chromium, or "" when there is none.
func chromium() string {
	for _, p := range []string{os.Getenv("ENLACE_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// screensDir is where the browser test saves its screenshots:
// $ENLACE_TEST_OUTPUT, else a fresh folder under os.TempDir()/enlace-screens.
func screensDir(t *testing.T) string {
	dir := os.Getenv("ENLACE_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "enlace-screens", time.Now().UTC().Format("20060102-150405"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tab drives one headless Chromium tab against a node.
type tab struct {
	t    *testing.T
	n    *node
	ctx  context.Context
	dir  string
	shot int
}

func (b *tab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\npage:\n%s", what, err, b.page())
	}
}

// page returns the text of the page, for failure messages.
func (b *tab) page() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	return loc + "\n" + text
}

// read runs one action that returns a value.
func read[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves the whole page as NN-name-WIDTH.png.
func (b *tab) screenshot(name string, width int64) {
	b.t.Helper()
	b.run("screenshot "+name, chromedp.EmulateViewport(width, 900), chromedp.WaitReady(chromedp.CSS("body")))
	// A long page's full screenshot can take a while when the machine is
	// busy with the other packages' tests: allow it more than one action.
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.shot++
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s-%d.png", b.shot, name, width))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// both takes the screenshot at a phone's width and a desktop's, and
// checks that at the phone's width nothing but a scrolling table is wider
// than the screen.
func (b *tab) both(name string) {
	b.t.Helper()
	b.screenshot(name, 375)
	if w := read(b, "measure "+name, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		b.t.Errorf("%s is %d px wide at 375 px", name, w)
	}
	b.screenshot(name, 1440)
	b.run("back to desktop", chromedp.EmulateViewport(1440, 900))
}

func (b *tab) signIn(user string) {
	b.t.Helper()
	b.run("sign in as "+user,
		chromedp.Navigate(b.n.url+"/signin"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("token"), b.n.creds[user].Token),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("whoami")),
	)
}

func (b *tab) signOut() {
	b.t.Helper()
	b.run("sign out", chromedp.Click(chromedp.ID("signout")), chromedp.WaitVisible(chromedp.ID("username")))
}

// cell returns the state and text of the dashboard's CO→US cell.
func (b *tab) cell() (state, text string) {
	b.t.Helper()
	b.run("open the dashboard", chromedp.Navigate(b.n.url+"/"), chromedp.WaitVisible(chromedp.ID("cell-CO-US")))
	state = read(b, "read the CO→US state", chromedp.AttributeValue(chromedp.ID("cell-CO-US"), "data-state")).Value
	text = read(b, "read the CO→US cell", chromedp.Text(chromedp.ID("cell-CO-US")))
	return state, strings.Join(strings.Fields(text), " ")
}

// direct previews and confirms a CO→US directive through the console;
// setup picks the action and purposes. It returns the preview's summary.
func (b *tab) direct(reason string, setup ...chromedp.Action[chromedp.Void]) string {
	b.t.Helper()
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(b.n.url + "/directives"),
		chromedp.WaitVisible(chromedp.ID("directive-form")),
		chromedp.SetValue(chromedp.ID("to"), "nation:US"),
	}
	actions = append(actions, setup...)
	actions = append(actions,
		chromedp.SendKeys(chromedp.ID("reason"), reason),
		chromedp.Click(chromedp.ID("preview-btn")),
		chromedp.WaitVisible(chromedp.ID("confirm")),
	)
	b.run("preview "+reason, actions...)
	summary := read(b, "read the preview", chromedp.Text(chromedp.ID("preview-summary")))
	// htmx swapped the preview into the page (under the pages' CSP),
	// rather than the browser posting the whole form.
	if loc := read(b, "read the location", chromedp.Location()); !strings.HasSuffix(loc, "/directives") {
		b.t.Errorf("the preview replaced the page: at %s", loc)
	}
	b.both("directive-preview")
	b.run("confirm "+reason, chromedp.Click(chromedp.ID("confirm")), chromedp.WaitVisible(chromedp.ID("issued")))
	return summary
}

// TestBrowser drives the pages in a headless Chromium through the seed
// scenario: the CO authority suspends sharing with the US and sees the
// matrix change; a CO report written afterwards never reaches DEA's
// inbox; a report naming sanctioned entities raises alerts and shows its
// hits; sharing is reinstated for seizures only; the ledger explorer
// proves the suspension to the authority that issued it.
func TestBrowser(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("no Chromium: set ENLACE_CHROMIUM or install /usr/bin/chromium (scripts/test.sh installs it) to run the browser test")
	}
	start := time.Now()
	n := startNode(t, "") // the pages do not depend on the engine
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(1440, 900),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	defer cancel()
	ctx, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	b := &tab{t: t, n: n, ctx: ctx, dir: screensDir(t)}
	// The first action starts the browser and must run on the tab's own
	// context: one with a timeout would close the tab when it ends.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}

	b.signIn("co-authority")
	if state, text := b.cell(); state != "active" {
		t.Fatalf("CO→US before: %s (%s)", state, text)
	}
	b.both("dashboard-before")
	summary := b.direct("US strikes on boats continue")
	if !strings.Contains(summary, "agencies and") || strings.HasPrefix(summary, "0 agencies") {
		t.Errorf("preview of the suspension: %q", summary)
	}
	if state, text := b.cell(); state != "suspended" || !strings.Contains(text, "D-1") {
		t.Errorf("CO→US after the suspension: %s (%s)", state, text)
	}
	b.both("dashboard-suspended")
	b.signOut()

	// DIPOL writes a report after the suspension; the first try has a
	// bad grading, and the form keeps what was typed.
	b.signIn("dipol-analyst")
	title := "Semi-submersible leaving Tumaco after the suspension"
	b.run("compose with an error",
		chromedp.Navigate(n.url+"/reports/new"),
		chromedp.WaitVisible(chromedp.ID("report-form")),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("description"), "Synthetic: seen at dawn in a mangrove inlet."),
		chromedp.SetValue(chromedp.ID("tlp"), "green"),
		chromedp.SendKeys(chromedp.ID("source"), "Z"),
		chromedp.SendKeys(chromedp.ID("information"), "9"),
		chromedp.Click(chromedp.ID("submit-report")),
		chromedp.WaitVisible(chromedp.ID("form-error")),
	)
	errText := read(b, "read the form error", chromedp.Text(chromedp.ID("form-error")))
	kept := read(b, "read the title kept", chromedp.Value(chromedp.ID("title")))
	if kept != title || !strings.Contains(errText, "source must be A-F") {
		t.Errorf("form error %q kept title %q", errText, kept)
	}
	b.both("composer-error")
	b.run("compose again",
		chromedp.SetValue(chromedp.ID("source"), "B"),
		chromedp.SetValue(chromedp.ID("information"), "2"),
		chromedp.Click(chromedp.ID("submit-report")),
		chromedp.WaitVisible(chromedp.ID("declare-form")),
		chromedp.SetValue(chromedp.ID("declare"), "investigation"),
		chromedp.Click(chromedp.ID("open")),
		chromedp.WaitVisible(chromedp.ID("report-title")),
	)
	loc := read(b, "read the location", chromedp.Location())
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, n.url+"/reports/"), "?")
	if !strings.HasPrefix(id, "report--") {
		t.Fatalf("after composing, at %s", loc)
	}
	b.both("report")
	// DIPOL finds it by a word of its description, marked where it
	// matched.
	b.run("search the inbox",
		chromedp.Navigate(n.url+"/reports?purpose=investigation"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "mangrove"),
		chromedp.Click(chromedp.ID("show")),
		chromedp.WaitVisible(chromedp.ID("search-results")),
	)
	if found := read(b, "read the results", chromedp.Evaluate[bool](`document.querySelector('#search-results [data-id="`+id+`"] mark') !== null`)); !found {
		t.Errorf("DIPOL's search for its report's word does not find it marked")
	}
	b.both("search")

	// A report naming a sanctioned person and vessel alerts DIPOL on its
	// dashboard; its page shows the hits and why they matched.
	importList(t, n, "../../screen/testdata/ofac_v1")
	sanctioned := entityReport(7, "Ayman al-Zawahiri", "ARTAVIL", "9187629")
	n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", sanctioned)
	b.run("alerts on the dashboard", chromedp.Navigate(n.url+"/"), chromedp.WaitVisible(chromedp.ID("alert-list")))
	if c := read(b, "count the alerts", chromedp.Evaluate[int](`document.querySelectorAll('#alert-list [data-kind="screening-hit"]').length`)); c != 2 {
		t.Errorf("%d screening alerts on DIPOL's dashboard, want 2", c)
	}
	b.both("dashboard-alerts")
	b.run("hits on the report",
		chromedp.Navigate(n.url+"/reports/"+sanctioned["id"].(string)+"?purpose=interdiction"),
		chromedp.WaitVisible(chromedp.ID("hits")),
		chromedp.Click(chromedp.CSS("#hits details summary")),
	)
	if c := read(b, "count the hits", chromedp.Evaluate[int](`document.querySelectorAll('#hits .hit').length`)); c != 2 {
		t.Errorf("%d hits on the report page, want 2", c)
	}
	b.both("report-hits")
	b.signOut()

	// DEA sees no CO report, old or new, and the new one is not found.
	b.signIn("dea-analyst")
	b.run("DEA's inbox",
		chromedp.Navigate(n.url+"/reports?purpose=seizure&origin=nation:CO"),
		chromedp.WaitVisible(chromedp.ID("inbox")),
	)
	absent := read(b, "look for CO reports", chromedp.Evaluate[bool](`document.querySelector('[data-nation="CO"]') === null && document.body.innerHTML.indexOf(`+"`"+id+"`"+`) < 0`))
	if !absent {
		t.Errorf("DEA's inbox shows CO reports after the suspension")
	}
	b.both("inbox-dea")
	b.run("DEA searches for it",
		chromedp.Navigate(n.url+"/reports?purpose=seizure&q=mangrove"),
		chromedp.WaitVisible(chromedp.ID("inbox")),
	)
	if leaked := read(b, "look for the report", chromedp.Evaluate[bool](`document.body.innerHTML.indexOf(`+"`"+id+"`"+`) >= 0`)); leaked {
		t.Errorf("DEA's search finds the CO report written after the suspension")
	}
	b.run("DEA opens the new report",
		chromedp.Navigate(n.url+"/reports/"+id+"?purpose=seizure"),
		chromedp.WaitVisible(chromedp.ID("error-message")),
	)
	msg := read(b, "read the error", chromedp.Text(chromedp.ID("error-message")))
	if !strings.Contains(msg, "no report") {
		t.Errorf("DEA opening %s: %q", id, msg)
	}
	b.signOut()

	// Coordination goes on for seizures.
	b.signIn("co-authority")
	b.direct("coordination continues for seizures",
		chromedp.Click(chromedp.CSS(`input[name="action"][value="reinstate"]`)),
		chromedp.Click(chromedp.CSS(`input[name="mode"][value="only"]`)),
		chromedp.Click(chromedp.CSS(`input[name="purposes"][value="seizure"]`)),
	)
	if state, text := b.cell(); state != "restricted" || !strings.Contains(text, "restricted: seizure") || !strings.Contains(text, "D-2") {
		t.Errorf("CO→US after the reinstatement: %s (%s)", state, text)
	}
	b.run("phone width", chromedp.EmulateViewport(375, 800))
	if right := read(b, "place the cell", chromedp.Evaluate[float64](`document.getElementById("cell-CO-US").getBoundingClientRect().right`)); right > 375 {
		t.Errorf("at 375 px the CO→US cell ends at %.0f px, off the screen", right)
	}
	b.run("desktop width", chromedp.EmulateViewport(1440, 900))
	b.run("fold out the agencies", chromedp.Click(chromedp.CSS("#agencies-CO summary")))
	b.both("dashboard-restricted")
	b.run("history", chromedp.Navigate(n.url+"/directives"), chromedp.WaitVisible(chromedp.ID("history")))
	b.both("directives")
	for name, path := range map[string]string{
		"inbox-co": "/reports?purpose=investigation", "consents": "/consents", "screening": "/screening?name=Aurelio+Ficticio",
	} {
		b.run("open "+path, chromedp.Navigate(n.url+path), chromedp.WaitVisible(chromedp.ID("main")))
		b.both(name)
	}
	// The ledger explorer proves D-1 to the authority that issued it,
	// checked in the server against the node's key.
	b.run("verify D-1 in the ledger",
		chromedp.Navigate(n.url+"/ledger"),
		chromedp.WaitVisible(chromedp.ID("prove-form")),
		chromedp.SetValue(chromedp.ID("prove-kind"), "directive"),
		chromedp.SendKeys(chromedp.ID("prove-id"), "D-1"),
		chromedp.Click(chromedp.ID("prove")),
		chromedp.WaitVisible(chromedp.ID("verdict")),
	)
	if v := read(b, "read the verdict", chromedp.Text(chromedp.ID("verdict"))); !strings.Contains(v, "Included in checkpoint") || !strings.Contains(v, "signed by the node") {
		t.Errorf("verdict on D-1: %q", v)
	}
	b.both("ledger-proof")
	b.signOut()

	// The seed report's question: how much of what JIATF-South's US
	// members used is Colombian? Drawn on the server as SVG.
	b.signIn("us-authority")
	b.run("ask the accounting page",
		chromedp.Navigate(n.url+"/accounting"),
		chromedp.WaitVisible(chromedp.ID("accounting-form")),
		chromedp.SetValue(chromedp.ID("consumer"), "task_force:JIATF-South"),
		chromedp.Click(chromedp.ID("show")),
		chromedp.WaitVisible(chromedp.ID("chart-nations")),
	)
	co := read(b, "read the CO share", chromedp.Text(chromedp.CSS(`#nation-shares [data-nation="CO"] .share`)))
	counts := read(b, "read what it counts", chromedp.Text(chromedp.ID("shares-counts")))
	if !strings.HasSuffix(co, "%") || !strings.Contains(counts, "JIATF-South") {
		t.Errorf("CO share %q, counts %q", co, counts)
	}
	t.Logf("the accounting page: CO share of JIATF-South US members' used intelligence %s", co)
	if c := read(b, "count the charts", chromedp.Evaluate[int](`document.querySelectorAll('svg.chart title').length`)); c < 6 {
		t.Errorf("%d chart titles on the accounting page", c)
	}
	b.both("accounting")
	b.signOut()
	b.both("signin")

	t.Logf("browser test took %s; screenshots in %s", time.Since(start).Round(time.Millisecond), b.dir)
}
