package httpapi

import (
	"net/http"

	"github.com/enlace-exchange/enlace"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) purposes(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	writeJSON(w, http.StatusOK, map[string]any{"purposes": s.x.Vocabulary().Defs()})
	return nil
}

func (s *Server) nations(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	ns, err := s.x.Nations(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"nations": nonNil(ns)})
	return nil
}

func (s *Server) agencies(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	as, err := s.x.Agencies(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"agencies": nonNil(as)})
	return nil
}

func (s *Server) taskForces(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	ts, err := s.x.TaskForces(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"task_forces": nonNil(ts)})
	return nil
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	us, err := s.x.Users(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": nonNil(us)})
	return nil
}

type createUserBody struct {
	Username string        `json:"username"`
	Agency   string        `json:"agency"`
	Roles    []enlace.Role `json:"roles"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var b createUserBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	if b.Agency == "" {
		b.Agency = u.Agency
	}
	nu, err := s.x.CreateUserAs(r.Context(), u, enlace.User{Username: b.Username, Agency: b.Agency, Roles: b.Roles})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, nu)
	return nil
}

func (s *Server) tokens(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	ts, err := s.x.Tokens(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNil(ts)})
	return nil
}

// newToken is a token as shown once, at creation.
type newToken struct {
	enlace.Token
	Secret string `json:"token"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var b struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	t, secret, err := s.x.IssueTokenAs(r.Context(), u, b.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, newToken{Token: t, Secret: secret})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.x.RevokeTokenAs(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nonNil turns a nil slice into an empty one, so JSON lists are [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
