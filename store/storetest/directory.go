package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

func testNations(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	us := must(s.CreateNation(ctx, enlace.Nation{Code: "US", Name: "United States", CreatedAt: at(1)}))
	co := must(s.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Colombia", CreatedAt: at(2)}))
	diff(t, "created nation", enlace.Nation{Code: "CO", Name: "Colombia", CreatedAt: at(2)}, co)

	diff(t, "Nation(CO)", co, must(s.Nation(ctx, "CO")))
	diff(t, "Nations", []enlace.Nation{co, us}, must(s.Nations(ctx)))

	_, err := s.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Another", CreatedAt: at(3)})
	wantCode(t, "duplicate nation", err, enlace.EConflict)
	diff(t, "Nation(CO) after refused duplicate", co, must(s.Nation(ctx, "CO")))

	_, err = s.Nation(ctx, "ZZ")
	wantCode(t, "Nation(ZZ)", err, enlace.ENotFound)
}

func testAgencies(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	must(s.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Colombia", CreatedAt: at(0)}))
	must(s.CreateNation(ctx, enlace.Nation{Code: "US", Name: "United States", CreatedAt: at(0)}))
	dea := must(s.CreateAgency(ctx, enlace.Agency{ID: "DEA", Nation: "US", Name: "Drug Enforcement Administration", CreatedAt: at(1)}))
	dipol := must(s.CreateAgency(ctx, enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "Dirección de Inteligencia Policial", CreatedAt: at(2)}))
	arc := must(s.CreateAgency(ctx, enlace.Agency{ID: "ARC", Nation: "CO", Name: "Armada de Colombia", CreatedAt: at(3)}))
	diff(t, "created agency", enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "Dirección de Inteligencia Policial", CreatedAt: at(2)}, dipol)

	diff(t, "Agency(DIPOL)", dipol, must(s.Agency(ctx, "DIPOL")))
	diff(t, "Agencies", []enlace.Agency{arc, dea, dipol}, must(s.Agencies(ctx)))

	tests := []struct {
		name string
		a    enlace.Agency
		code enlace.Code
	}{
		{"duplicate id", enlace.Agency{ID: "DEA", Nation: "CO", Name: "Other", CreatedAt: at(4)}, enlace.EConflict},
		{"unknown nation", enlace.Agency{ID: "NCA", Nation: "GB", Name: "National Crime Agency", CreatedAt: at(4)}, enlace.ENotFound},
	}
	for _, tt := range tests {
		_, err := s.CreateAgency(ctx, tt.a)
		wantCode(t, tt.name, err, tt.code)
	}
	diff(t, "Agencies after refused writes", []enlace.Agency{arc, dea, dipol}, must(s.Agencies(ctx)))

	_, err := s.Agency(ctx, "NCA")
	wantCode(t, "Agency(NCA)", err, enlace.ENotFound)
}

func testTaskForces(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	d := seed(t, s)
	want := enlace.TaskForce{
		ID: "JIATF-South", Name: "Joint Interagency Task Force South",
		Members: []string{"USCG", "DEA", "DIPOL"}, CreatedAt: at(20),
	}
	diff(t, "seeded task force", want, d.taskForce)
	diff(t, "TaskForce(JIATF-South)", want, must(s.TaskForce(ctx, "JIATF-South")))

	empty := must(s.CreateTaskForce(ctx, enlace.TaskForce{ID: "Andes", Name: "Andean desk", CreatedAt: at(21)}))
	diff(t, "TaskForces", []enlace.TaskForce{empty, want}, must(s.TaskForces(ctx)))

	tests := []struct {
		name string
		tf   enlace.TaskForce
		code enlace.Code
	}{
		{"duplicate id", enlace.TaskForce{ID: "JIATF-South", Name: "Again", Members: []string{"DEA"}, CreatedAt: at(22)}, enlace.EConflict},
		{"unknown member", enlace.TaskForce{ID: "Caribe", Name: "Caribbean", Members: []string{"DEA", "GHOST"}, CreatedAt: at(22)}, enlace.ENotFound},
	}
	for _, tt := range tests {
		_, err := s.CreateTaskForce(ctx, tt.tf)
		wantCode(t, tt.name, err, tt.code)
	}
	// The refused task force left nothing behind, not even its first
	// member.
	_, err := s.TaskForce(ctx, "Caribe")
	wantCode(t, "TaskForce(Caribe) after refused create", err, enlace.ENotFound)
	diff(t, "TaskForces after refused writes", []enlace.TaskForce{empty, want}, must(s.TaskForces(ctx)))
}

func testUsers(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	d := seed(t, s)
	if d.analyst.ID == 0 || d.liaison.ID == 0 || d.analyst.ID == d.liaison.ID {
		t.Fatalf("user ids %d and %d: want distinct and non-zero", d.analyst.ID, d.liaison.ID)
	}
	wantAna := enlace.User{
		ID: d.analyst.ID, Username: "ana", Agency: "DIPOL", Nation: "CO",
		Roles: []enlace.Role{enlace.RoleAnalyst}, CreatedAt: at(30),
	}
	diff(t, "created user", wantAna, d.analyst)

	// Nation comes from the agency, whatever the caller said.
	uma := must(s.CreateUser(ctx, enlace.User{
		Username: "uma", Agency: "USCG", Nation: "CO",
		Roles: []enlace.Role{enlace.RoleAuditor, enlace.RoleAgencyAdmin}, CreatedAt: at(32),
	}))
	if uma.Nation != "US" {
		t.Errorf("created user nation %q, want US, the agency's", uma.Nation)
	}

	diff(t, "User(ana)", wantAna, must(s.User(ctx, d.analyst.ID)))
	diff(t, "UserByName(uma)", uma, must(s.UserByName(ctx, "uma")))
	diff(t, "Users(all)", []enlace.User{d.analyst, d.liaison, uma}, must(s.Users(ctx, "")))
	diff(t, "Users(USCG)", []enlace.User{uma}, must(s.Users(ctx, "USCG")))
	diff(t, "Users(NCA)", []enlace.User(nil), must(s.Users(ctx, "NCA")))

	refused := []struct {
		name string
		u    enlace.User
		code enlace.Code
	}{
		{"taken name", enlace.User{Username: "ana", Agency: "DEA", Roles: []enlace.Role{enlace.RoleAnalyst}, CreatedAt: at(33)}, enlace.EConflict},
		{"unknown agency", enlace.User{Username: "gus", Agency: "GHOST", Roles: []enlace.Role{enlace.RoleAnalyst}, CreatedAt: at(33)}, enlace.ENotFound},
	}
	for _, tt := range refused {
		_, err := s.CreateUser(ctx, tt.u)
		wantCode(t, tt.name, err, tt.code)
	}
	diff(t, "Users after refused writes", []enlace.User{d.analyst, d.liaison, uma}, must(s.Users(ctx, "")))

	_, err := s.User(ctx, uma.ID+100)
	wantCode(t, "User(unknown)", err, enlace.ENotFound)
	_, err = s.UserByName(ctx, "gus")
	wantCode(t, "UserByName(gus)", err, enlace.ENotFound)
}

func testTokens(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	d := seed(t, s)
	tok := must(s.CreateToken(ctx, enlace.Token{UserID: d.liaison.ID, Name: "taxii client", Hash: []byte("hash-1"), CreatedAt: at(40)}))
	if tok.ID == 0 {
		t.Fatal("created token has no id")
	}
	diff(t, "created token", enlace.Token{ID: tok.ID, UserID: d.liaison.ID, Name: "taxii client", Hash: []byte("hash-1"), CreatedAt: at(40)}, tok)
	tok2 := must(s.CreateToken(ctx, enlace.Token{UserID: d.liaison.ID, Name: "laptop", Hash: []byte("hash-2"), CreatedAt: at(41)}))
	anas := must(s.CreateToken(ctx, enlace.Token{UserID: d.analyst.ID, Name: "ana", Hash: []byte("hash-3"), CreatedAt: at(42)}))

	gotTok, gotUser, err := s.TokenByHash(ctx, []byte("hash-1"))
	check(t, err)
	diff(t, "TokenByHash token", tok, gotTok)
	diff(t, "TokenByHash user", d.liaison, gotUser)

	diff(t, "Tokens(lee)", []enlace.Token{tok, tok2}, must(s.Tokens(ctx, d.liaison.ID)))
	diff(t, "Tokens(ana)", []enlace.Token{anas}, must(s.Tokens(ctx, d.analyst.ID)))
	diff(t, "Tokens(unknown user)", []enlace.Token(nil), must(s.Tokens(ctx, d.liaison.ID+100)))

	_, err = s.CreateToken(ctx, enlace.Token{UserID: d.liaison.ID + 100, Name: "x", Hash: []byte("hash-4"), CreatedAt: at(43)})
	wantCode(t, "CreateToken(unknown user)", err, enlace.ENotFound)
	_, err = s.CreateToken(ctx, enlace.Token{UserID: d.analyst.ID, Name: "copy", Hash: []byte("hash-1"), CreatedAt: at(43)})
	wantCode(t, "CreateToken(duplicate hash)", err, enlace.EConflict)
	_, _, err = s.TokenByHash(ctx, []byte("hash-4"))
	wantCode(t, "TokenByHash(unknown)", err, enlace.ENotFound)
	// Hashes are bytes, not text: a prefix or a case change is another
	// hash.
	_, _, err = s.TokenByHash(ctx, bytes.ToUpper([]byte("hash-1")))
	wantCode(t, "TokenByHash(upper case)", err, enlace.ENotFound)
}

func testTokenRevocation(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	d := seed(t, s)
	tok := must(s.CreateToken(ctx, enlace.Token{UserID: d.liaison.ID, Name: "taxii client", Hash: []byte{0, 1, 2, 0xff}, CreatedAt: at(40)}))
	other := must(s.CreateToken(ctx, enlace.Token{UserID: d.liaison.ID, Name: "laptop", Hash: []byte{9}, CreatedAt: at(40)}))

	check(t, s.RevokeToken(ctx, tok.ID, at(50)))
	_, _, err := s.TokenByHash(ctx, tok.Hash)
	wantCode(t, "TokenByHash(revoked)", err, enlace.ENotFound)
	// Revoking again keeps the first time: that is when the token stopped
	// working.
	check(t, s.RevokeToken(ctx, tok.ID, at(60)))
	tok.RevokedAt = ptr(at(50))
	diff(t, "Tokens after revocations", []enlace.Token{tok, other}, must(s.Tokens(ctx, d.liaison.ID)))

	// The other token still works.
	gotTok, _, err := s.TokenByHash(ctx, other.Hash)
	check(t, err)
	diff(t, "TokenByHash(other)", other, gotTok)

	wantCode(t, "RevokeToken(unknown)", s.RevokeToken(ctx, other.ID+100, at(60)), enlace.ENotFound)

	// A token may be stored already revoked, such as one imported from a
	// retired node.
	old := must(s.CreateToken(ctx, enlace.Token{UserID: d.analyst.ID, Name: "old", Hash: []byte{7}, CreatedAt: at(1), RevokedAt: ptr(at(2))}))
	diff(t, "Tokens(ana)", []enlace.Token{old}, must(s.Tokens(ctx, d.analyst.ID)))
	_, _, err = s.TokenByHash(ctx, []byte{7})
	wantCode(t, "TokenByHash(created revoked)", err, enlace.ENotFound)
}

// testTimePrecision stores times with nanoseconds in another zone and
// expects them back in UTC with whole microseconds, from the Create method
// and from reads alike.
func testTimePrecision(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	bogota := time.FixedZone("COT", -5*3600)
	fine := time.Date(2025, 3, 14, 4, 26, 53, 123456789, bogota)
	want := time.Date(2025, 3, 14, 9, 26, 53, 123456000, time.UTC)
	early := time.Date(1969, 7, 20, 20, 17, 40, 999999999, time.UTC) // before the unix epoch
	wantEarly := time.Date(1969, 7, 20, 20, 17, 40, 999999000, time.UTC)

	n := must(s.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Colombia", CreatedAt: fine}))
	read := must(s.Nation(ctx, "CO"))
	must(s.CreateAgency(ctx, enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "DIPOL", CreatedAt: fine}))
	u := must(s.CreateUser(ctx, enlace.User{Username: "ana", Agency: "DIPOL", Roles: []enlace.Role{enlace.RoleAnalyst}, CreatedAt: fine}))
	tok := must(s.CreateToken(ctx, enlace.Token{UserID: u.ID, Name: "t", Hash: []byte("h"), CreatedAt: fine, RevokedAt: ptr(early)}))
	toks := must(s.Tokens(ctx, u.ID))
	a := must(s.CreateAgreement(ctx, agreement(fine, ptr(fine.Add(time.Hour)))))
	readA := must(s.Agreement(ctx, a.ID))

	tests := []struct {
		name      string
		got, want time.Time
	}{
		{"CreateNation CreatedAt", n.CreatedAt, want},
		{"Nation CreatedAt", read.CreatedAt, want},
		{"CreateToken RevokedAt", *tok.RevokedAt, wantEarly},
		{"Tokens RevokedAt", *toks[0].RevokedAt, wantEarly},
		{"Tokens CreatedAt", toks[0].CreatedAt, want},
		{"CreateAgreement ValidFrom", a.ValidFrom, want},
		{"Agreement ValidFrom", readA.ValidFrom, want},
		{"Agreement ValidUntil", *readA.ValidUntil, want.Add(time.Hour)},
	}
	for _, tt := range tests {
		if !tt.got.Equal(tt.want) || tt.got.Location() != time.UTC {
			t.Errorf("%s = %v (zone %q), want %v (zone UTC)", tt.name, tt.got, tt.got.Location(), tt.want)
		}
	}
}
