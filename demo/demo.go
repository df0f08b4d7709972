// Package demo builds a demo world through the exchange: the nations and
// agencies of the seed report (Colombia and the United States, with the
// United Kingdom as a third party), the JIATF-South task force, agreements,
// users of every role with their tokens, synthetic reports about
// go-fast boats, semi-submersibles and trafficking routes, and synthetic
// use declarations and outcomes by the task force's members (one of them
// a strike, which the safeguards report). Every person and
// company in it is fictional and marked so.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// Credential is one demo user and its token, as written to
// demo-credentials.json.
type Credential struct {
	Username string        `json:"username"`
	Token    string        `json:"token"`
	Agency   string        `json:"agency"`
	Nation   string        `json:"nation"`
	Roles    []enlace.Role `json:"roles"`
}

// TaskForce is the demo's joint interdiction task force.
const TaskForce = "JIATF-South"

var nations = []enlace.Nation{
	{Code: "CO", Name: "Colombia"},
	{Code: "US", Name: "United States"},
	{Code: "GB", Name: "United Kingdom"},
}

var agencies = []enlace.Agency{
	{ID: "PRESIDENCIA", Nation: "CO", Name: "Presidencia de la República (national authority)"},
	{ID: "DIPOL", Nation: "CO", Name: "Dirección de Inteligencia Policial"},
	{ID: "DIJIN", Nation: "CO", Name: "Dirección de Investigación Criminal e Interpol"},
	{ID: "CTI", Nation: "CO", Name: "Cuerpo Técnico de Investigación, Fiscalía General"},
	{ID: "DOS", Nation: "US", Name: "Department of State (national authority)"},
	{ID: "FBI", Nation: "US", Name: "Federal Bureau of Investigation"},
	{ID: "DEA", Nation: "US", Name: "Drug Enforcement Administration"},
	{ID: "HSI", Nation: "US", Name: "Homeland Security Investigations"},
	{ID: "HOMEOFFICE", Nation: "GB", Name: "Home Office (national authority)"},
	{ID: "NCA", Nation: "GB", Name: "National Crime Agency"},
}

type demoUser struct {
	name   string
	agency string
	roles  []enlace.Role
}

var users = []demoUser{
	{"co-authority", "PRESIDENCIA", []enlace.Role{enlace.RoleAuthority}},
	{"us-authority", "DOS", []enlace.Role{enlace.RoleAuthority}},
	{"gb-authority", "HOMEOFFICE", []enlace.Role{enlace.RoleAuthority}},
	{"dipol-analyst", "DIPOL", []enlace.Role{enlace.RoleAnalyst}},
	{"dipol-liaison", "DIPOL", []enlace.Role{enlace.RoleLiaison, enlace.RoleAnalyst}},
	{"dipol-admin", "DIPOL", []enlace.Role{enlace.RoleAgencyAdmin}},
	{"dijin-analyst", "DIJIN", []enlace.Role{enlace.RoleAnalyst}},
	{"cti-analyst", "CTI", []enlace.Role{enlace.RoleAnalyst}},
	{"co-auditor", "PRESIDENCIA", []enlace.Role{enlace.RoleAuditor}},
	{"dea-analyst", "DEA", []enlace.Role{enlace.RoleAnalyst}},
	{"dea-liaison", "DEA", []enlace.Role{enlace.RoleLiaison, enlace.RoleAnalyst}},
	{"dea-admin", "DEA", []enlace.Role{enlace.RoleAgencyAdmin}},
	{"fbi-analyst", "FBI", []enlace.Role{enlace.RoleAnalyst}},
	{"hsi-analyst", "HSI", []enlace.Role{enlace.RoleAnalyst}},
	{"us-auditor", "DOS", []enlace.Role{enlace.RoleAuditor}},
	{"nca-analyst", "NCA", []enlace.Role{enlace.RoleAnalyst}},
	{"nca-liaison", "NCA", []enlace.Role{enlace.RoleLiaison, enlace.RoleAnalyst}},
}

// Seed builds the demo world in an empty exchange and returns the users'
// credentials. now stamps the agreements' start.
func Seed(ctx context.Context, x *exchange.Exchange, now time.Time) ([]Credential, error) {
	for _, n := range nations {
		if _, err := x.CreateNation(ctx, n); err != nil {
			return nil, fmt.Errorf("nation %s: %w", n.Code, err)
		}
	}
	for _, a := range agencies {
		if _, err := x.CreateAgency(ctx, a); err != nil {
			return nil, fmt.Errorf("agency %s: %w", a.ID, err)
		}
	}
	if _, err := x.CreateTaskForce(ctx, enlace.TaskForce{
		ID: TaskForce, Name: "Joint Interagency Task Force South",
		Members: []string{"DEA", "HSI", "FBI", "DIPOL"},
	}); err != nil {
		return nil, fmt.Errorf("task force: %w", err)
	}
	byName := map[string]enlace.User{}
	var creds []Credential
	for _, du := range users {
		u, err := x.CreateUser(ctx, enlace.User{Username: du.name, Agency: du.agency, Roles: du.roles})
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", du.name, err)
		}
		_, secret, err := x.IssueToken(ctx, u.Username, "demo")
		if err != nil {
			return nil, fmt.Errorf("token for %s: %w", du.name, err)
		}
		byName[u.Username] = u
		creds = append(creds, Credential{Username: u.Username, Token: secret, Agency: u.Agency, Nation: u.Nation, Roles: u.Roles})
	}
	if err := seedAgreements(ctx, x, byName, now); err != nil {
		return nil, err
	}
	if err := seedReports(ctx, x, byName, now); err != nil {
		return nil, err
	}
	if err := seedUses(ctx, x, byName, now); err != nil {
		return nil, err
	}
	return creds, nil
}

func seedAgreements(ctx context.Context, x *exchange.Exchange, by map[string]enlace.User, now time.Time) error {
	from := now.Add(-365 * 24 * time.Hour).Truncate(time.Hour)
	lawEnforcement := []enlace.Purpose{enlace.PurposeInterdiction, enlace.PurposeInvestigation, enlace.PurposeProsecution}
	handling := []string{enlace.H0.Key(), enlace.H1.Key(), enlace.H2.Key(), enlace.ORCON.Key()}
	type ag struct {
		by        string
		title     string
		provider  enlace.Scope
		recipient enlace.Scope
		purposes  []enlace.Purpose
		basis     string
	}
	for _, a := range []ag{
		{"co-authority", "Colombia to United States: counter-narcotics cooperation", enlace.NationScope("CO"), enlace.NationScope("US"), lawEnforcement,
			"Memorandum of understanding on counter-narcotics cooperation (fictional reference MOU-CO-US-2019)"},
		{"us-authority", "United States to Colombia: counter-narcotics cooperation", enlace.NationScope("US"), enlace.NationScope("CO"), lawEnforcement,
			"Memorandum of understanding on counter-narcotics cooperation (fictional reference MOU-CO-US-2019)"},
		{"us-authority", "United States to United Kingdom: serious organised crime", enlace.NationScope("US"), enlace.NationScope("GB"), []enlace.Purpose{enlace.PurposeLawEnforcement},
			"Mutual legal assistance treaty (fictional reference MLAT-US-GB)"},
		{"gb-authority", "United Kingdom to United States: serious organised crime", enlace.NationScope("GB"), enlace.NationScope("US"), []enlace.Purpose{enlace.PurposeLawEnforcement},
			"Mutual legal assistance treaty (fictional reference MLAT-US-GB)"},
	} {
		_, err := x.CreateAgreement(ctx, by[a.by], enlace.Agreement{
			Title: a.title, Provider: a.provider, Recipient: a.recipient,
			AllowedPurposes:    a.purposes,
			ProhibitedPurposes: []enlace.Purpose{enlace.PurposeMilitaryAction},
			MaxTLP:             enlace.TLPAmber, AcceptedHandling: handling, Onward: enlace.OnwardConsent,
			ValidFrom: from, LegalBasis: a.basis,
		})
		if err != nil {
			return fmt.Errorf("agreement %q: %w", a.title, err)
		}
	}
	return nil
}

// WriteCredentials writes creds to path, readable by its owner only.
func WriteCredentials(path string, creds []Credential) error {
	b, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write demo credentials: %w", err)
	}
	return nil
}

// newRand returns the demo's fixed random source, so every demo world is
// the same.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(2025, 11)) }
