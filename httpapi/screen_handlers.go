package httpapi

import (
	"net/http"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/screen"
)

func (s *Server) screen(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var q screen.Query
	if err := decode(w, r, &q); err != nil {
		return err
	}
	res, err := s.x.Screen(r.Context(), u, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
