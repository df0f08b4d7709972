package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// directiveForm is the directive console's form, as typed.
type directiveForm struct {
	Action    string
	From, To  string // "nation:CO", "agency:DIPOL", "task_force:JIATF-South"
	Mode      string // all, except, only
	Purposes  []string
	Reason    string
	Legal     string
	Effective string // datetime-local, UTC; empty: now
	Error     string
	Preview   *exchange.DirectivePreview
	Issued    string
}

// option is one choice of a select.
type option struct{ Value, Label string }

// directiveConsole is what the console page shows.
type directiveConsole struct {
	Form      directiveForm
	From, To  []option
	Purposes  []enlace.Purpose
	Modes     []option
	Directive []enlace.Directive // history, latest first
}

func parseScope(s string) enlace.Scope {
	kind, id, _ := strings.Cut(s, ":")
	switch kind {
	case enlace.ScopeNation:
		return enlace.NationScope(id)
	case enlace.ScopeAgency:
		return enlace.AgencyScope(id)
	case enlace.ScopeTaskForce:
		return enlace.TaskForceScope(id)
	}
	return enlace.Scope{}
}

func scopeValue(sc enlace.Scope) string { return sc.Kind() + ":" + sc.ID() }

func readDirectiveForm(r *http.Request) directiveForm {
	_ = r.ParseForm()
	return directiveForm{
		Action: r.PostFormValue("action"), From: r.PostFormValue("from"), To: r.PostFormValue("to"),
		Mode: r.PostFormValue("mode"), Purposes: r.PostForm["purposes"],
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Legal: strings.TrimSpace(r.PostFormValue("legal")),
		Effective: strings.TrimSpace(r.PostFormValue("effective")),
	}
}

// directive turns the form into a directive, or says what is wrong in
// words for the form.
func (f directiveForm) directive() (enlace.Directive, error) {
	d := enlace.Directive{
		Action: f.Action, From: parseScope(f.From), To: parseScope(f.To),
		Purposes: enlace.PurposeSet{Mode: f.Mode}, Reason: f.Reason, LegalReference: f.Legal,
	}
	if d.From.Kind() == "" {
		return d, enlace.Errorf(enlace.EInvalid, "choose whose sharing the directive governs (from)")
	}
	if d.To.Kind() == "" {
		return d, enlace.Errorf(enlace.EInvalid, "choose whom the directive concerns (to)")
	}
	if f.Mode != enlace.PurposesAll {
		for _, p := range f.Purposes {
			d.Purposes.Purposes = append(d.Purposes.Purposes, enlace.Purpose(p))
		}
	}
	if f.Effective != "" {
		t, err := time.Parse("2006-01-02T15:04", f.Effective)
		if err != nil {
			return d, enlace.Errorf(enlace.EInvalid, "effective time %q must be a date and time, such as 2025-11-10T14:00", f.Effective)
		}
		d.EffectiveAt = t.UTC()
	}
	return d, nil
}

func (s *server) console(ctx context.Context, u enlace.User, f directiveForm) (directiveConsole, error) {
	v := directiveConsole{Form: f, Purposes: s.x.Vocabulary().Purposes(), Modes: []option{
		{enlace.PurposesAll, "all purposes"}, {enlace.PurposesExcept, "all purposes except"}, {enlace.PurposesOnly, "only"},
	}}
	nations, err := s.x.Nations(ctx)
	if err != nil {
		return v, err
	}
	agencies, err := s.x.Agencies(ctx)
	if err != nil {
		return v, err
	}
	tfs, err := s.x.TaskForces(ctx)
	if err != nil {
		return v, err
	}
	for _, n := range nations {
		o := option{scopeValue(enlace.NationScope(n.Code)), n.Name + " (" + n.Code + ")"}
		if n.Code == u.Nation {
			v.From = append(v.From, o)
		} else {
			v.To = append(v.To, o)
		}
	}
	for _, a := range agencies {
		o := option{scopeValue(enlace.AgencyScope(a.ID)), a.ID + " (" + a.Nation + ")"}
		if a.Nation == u.Nation {
			v.From = append(v.From, o)
		} else {
			v.To = append(v.To, o)
		}
	}
	for _, t := range tfs {
		v.To = append(v.To, option{scopeValue(enlace.TaskForceScope(t.ID)), t.ID + " (task force)"})
	}
	ds, err := s.x.Directives(ctx, u)
	if err != nil {
		return v, err
	}
	slices.Reverse(ds)
	v.Directive = ds
	return v, nil
}

// authorityOnly refuses the console to users who are not a nation's
// authority.
func authorityOnly(u enlace.User) error {
	if !u.Has(enlace.RoleAuthority) {
		return enlace.Errorf(enlace.EForbidden, "the directive console is for a nation's authority")
	}
	return nil
}

func (s *server) directives(w http.ResponseWriter, r *http.Request, c *call) error {
	u := c.User()
	if err := authorityOnly(u); err != nil {
		return err
	}
	f := directiveForm{Action: enlace.ActionSuspend, Mode: enlace.PurposesAll, From: scopeValue(enlace.NationScope(u.Nation)), Issued: r.URL.Query().Get("issued")}
	v, err := s.console(r.Context(), u, f)
	if err != nil {
		return err
	}
	// The notice names only a directive the history holds, so a crafted
	// link cannot make the page announce one.
	if !slices.ContainsFunc(v.Directive, func(d enlace.Directive) bool { return d.ID == f.Issued }) {
		v.Form.Issued = ""
	}
	s.render(w, r, c, http.StatusOK, "directives", "Directives", v)
	return nil
}

// showConsole renders the console with f, its error or its preview.
func (s *server) showConsole(w http.ResponseWriter, r *http.Request, c *call, status int, f directiveForm) error {
	v, err := s.console(r.Context(), c.User(), f)
	if err != nil {
		return err
	}
	s.render(w, r, c, status, "directives", "Directives", v)
	return nil
}

// formError turns an input or permission error into words for the form
// and its status; other errors stay errors.
func formError(err error) (string, int, bool) {
	switch enlace.ErrorCode(err) {
	case enlace.EInvalid:
		return enlace.ErrorMessage(err), http.StatusBadRequest, true
	case enlace.EForbidden:
		return enlace.ErrorMessage(err), http.StatusForbidden, true
	case enlace.EConflict:
		return enlace.ErrorMessage(err), http.StatusConflict, true
	}
	return "", 0, false
}

func (s *server) previewDirective(w http.ResponseWriter, r *http.Request, c *call) error {
	u := c.User()
	if err := authorityOnly(u); err != nil {
		return err
	}
	f := readDirectiveForm(r)
	d, err := f.directive()
	if err == nil {
		var p exchange.DirectivePreview
		if p, err = s.x.PreviewDirective(r.Context(), u, d); err == nil {
			f.Preview = &p
		}
	}
	if err != nil {
		msg, status, ok := formError(err)
		if !ok {
			return err
		}
		f.Error = msg
		return s.showConsole(w, r, c, status, f)
	}
	return s.showConsole(w, r, c, http.StatusOK, f)
}

func (s *server) issueDirective(w http.ResponseWriter, r *http.Request, c *call) error {
	u := c.User()
	if err := authorityOnly(u); err != nil {
		return err
	}
	f := readDirectiveForm(r)
	d, err := f.directive()
	if err == nil {
		d, err = s.x.IssueDirective(r.Context(), u, d)
	}
	if err != nil {
		msg, status, ok := formError(err)
		if !ok {
			return err
		}
		f.Error = msg
		return s.showConsole(w, r, c, status, f)
	}
	s.log.InfoContext(r.Context(), "web: directive issued", "user", u.Username, "directive", d.ID)
	redirect(w, r, "/directives?issued="+d.ID)
	return nil
}

// redirect sends the browser on after a form, as htmx expects it when
// the form came through htmx.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Location", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
