package web

import (
	"net/http"
	"strings"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/screen"
)

// screenForm is the screening form, as typed.
type screenForm struct {
	Name, Type, IMO, MMSI, CallSign, BirthDate, Nationality string
	Error                                                   string
}

func (s *server) screening(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	f := screenForm{
		Name: strings.TrimSpace(q.Get("name")), Type: q.Get("type"), IMO: strings.TrimSpace(q.Get("imo")),
		MMSI: strings.TrimSpace(q.Get("mmsi")), CallSign: strings.TrimSpace(q.Get("call_sign")),
		BirthDate: strings.TrimSpace(q.Get("birth_date")), Nationality: strings.TrimSpace(q.Get("nationality")),
	}
	data := map[string]any{"Form": &f, "Types": []option{
		{"", "any"}, {string(screen.Person), "person"}, {string(screen.Organization), "organisation"},
		{string(screen.Vessel), "vessel"}, {string(screen.Aircraft), "aircraft"},
	}}
	status := http.StatusOK
	if q.Has("name") {
		res, err := s.x.Screen(r.Context(), c.User(), screen.Query{
			Name: f.Name, Type: screen.EntityType(f.Type), IMO: f.IMO, MMSI: f.MMSI, CallSign: f.CallSign,
			BirthDate: f.BirthDate, Nationality: f.Nationality,
		})
		switch {
		case enlace.ErrorCode(err) == enlace.EInvalid:
			f.Error, status = enlace.ErrorMessage(err), http.StatusBadRequest
		case err != nil:
			return err
		default:
			data["Result"] = &res
		}
	}
	s.render(w, r, c, status, "screening", "Screening", data)
	return nil
}
