package httpapi

import (
	"net/http"

	"github.com/enlace-exchange/enlace"
)

func (s *Server) listCheckpoints(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	limit, err := queryInt(r, "limit", 20)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 1000 {
		return enlace.Errorf(enlace.EInvalid, "limit must be between 1 and 1000")
	}
	cps, err := s.x.Checkpoints(r.Context(), u, int(limit))
	if err != nil {
		return err
	}
	type checkpoint struct {
		Size         int64                `json:"size"`
		Root         []byte               `json:"root"`
		Note         string               `json:"note"`
		At           string               `json:"at"`
		Cosignatures []enlace.Cosignature `json:"cosignatures"`
	}
	out := make([]checkpoint, len(cps))
	for i, c := range cps {
		out[i] = checkpoint{c.Size, c.Root, string(c.Note), c.At.Format(enlace.LedgerTimeFormat), nonNil(c.Cosignatures)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"checkpoints": out})
	return nil
}

func (s *Server) proveRecord(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	p, err := s.x.ProveRecord(r.Context(), u, enlace.EntryKind(r.PathValue("kind")), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
