package policy

import (
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

var vocab = enlace.MustVocabulary(enlace.DefaultPurposes)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptime(s string) *time.Time { t := at(s); return &t }

// seedWorld is the news report's world: Colombia suspends sharing with the
// US (D-1), then reinstates it for seizures (D-2).
func seedWorld() World {
	return World{
		Vocabulary: vocab,
		Agencies: []enlace.Agency{
			{ID: "DIPOL", Nation: "CO", Name: "Dirección de Inteligencia Policial"},
			{ID: "DIJIN", Nation: "CO", Name: "Dirección de Investigación Criminal"},
			{ID: "CTI", Nation: "CO", Name: "Cuerpo Técnico de Investigación"},
			{ID: "FBI", Nation: "US", Name: "Federal Bureau of Investigation"},
			{ID: "DEA", Nation: "US", Name: "Drug Enforcement Administration"},
			{ID: "HSI", Nation: "US", Name: "Homeland Security Investigations"},
			{ID: "NCA", Nation: "GB", Name: "National Crime Agency"},
		},
		TaskForces: []enlace.TaskForce{{ID: "JIATF-South", Name: "Joint Interagency Task Force South", Members: []string{"DEA", "HSI", "DIPOL"}}},
		Agreements: []enlace.Agreement{
			{
				ID: "AG-1", Version: 2, Title: "Counter-narcotics cooperation",
				Provider: enlace.NationScope("CO"), Recipient: enlace.NationScope("US"),
				AllowedPurposes:    []enlace.Purpose{enlace.PurposeLawEnforcement},
				ProhibitedPurposes: []enlace.Purpose{enlace.PurposeMilitaryAction},
				MaxTLP:             enlace.TLPRed,
				AcceptedHandling:   []string{"siena:H0", "siena:H1", "siena:H2", "us:ORCON"},
				Onward:             enlace.OnwardConsent,
				ValidFrom:          at("2025-01-01T00:00Z"),
				LegalBasis:         "MoU 2025",
			},
			{
				ID: "AG-2", Version: 1, Title: "US-UK drugs intelligence",
				Provider: enlace.NationScope("US"), Recipient: enlace.AgencyScope("NCA"),
				AllowedPurposes:  []enlace.Purpose{enlace.PurposeLawEnforcement},
				MaxTLP:           enlace.TLPAmber,
				AcceptedHandling: []string{"siena:H2", "us:ORCON"},
				Onward:           enlace.OnwardNone,
				ValidFrom:        at("2025-01-01T00:00Z"),
				LegalBasis:       "Treaty",
			},
			{
				ID: "AG-10", Version: 1, Title: "Interdiction with the task force",
				Provider: enlace.NationScope("CO"), Recipient: enlace.TaskForceScope("JIATF-South"),
				AllowedPurposes: []enlace.Purpose{enlace.PurposeInterdiction},
				MaxTLP:          enlace.TLPAmber,
				Onward:          enlace.OnwardFree,
				ValidFrom:       at("2025-01-01T00:00Z"),
				ValidUntil:      ptime("2027-01-01T00:00Z"),
				LegalBasis:      "JIATF charter",
			},
			{
				ID: "AG-3", Version: 1, Title: "DIPOL to DEA, strict",
				Provider: enlace.AgencyScope("DIPOL"), Recipient: enlace.AgencyScope("DEA"),
				AllowedPurposes: []enlace.Purpose{enlace.PurposeInvestigation},
				MaxTLP:          enlace.TLPAmberStrict,
				Onward:          enlace.OnwardFree,
				ValidFrom:       at("2025-01-01T00:00Z"),
				LegalBasis:      "Letter of intent",
			},
		},
		Directives: []enlace.Directive{
			{Seq: 2, ID: "D-2", Action: enlace.ActionReinstate, From: enlace.NationScope("CO"), To: enlace.NationScope("US"),
				Purposes:    enlace.PurposeSet{Mode: enlace.PurposesOnly, Purposes: []enlace.Purpose{enlace.PurposeSeizure}},
				EffectiveAt: at("2025-11-12T09:00Z"), Reason: "coordination continues for seizures",
				IssuerAgency: "DIPOL", IssuerNation: "CO", IssuerRank: enlace.RankNation},
			{Seq: 1, ID: "D-1", Action: enlace.ActionSuspend, From: enlace.NationScope("CO"), To: enlace.NationScope("US"),
				Purposes: enlace.AllPurposes, EffectiveAt: at("2025-11-10T14:00Z"), Reason: "presidential order: stop dealing with US agencies",
				IssuerAgency: "DIPOL", IssuerNation: "CO", IssuerRank: enlace.RankNation},
			{Seq: 3, ID: "D-3", Action: enlace.ActionReinstate, From: enlace.AgencyScope("DIPOL"), To: enlace.AgencyScope("DEA"),
				Purposes: enlace.AllPurposes, EffectiveAt: at("2025-11-13T09:00Z"), Reason: "DIPOL resumes work with DEA",
				IssuerAgency: "DIPOL", IssuerNation: "CO", IssuerRank: enlace.RankAgency},
			{Seq: 4, ID: "D-4", Action: enlace.ActionSuspend, From: enlace.AgencyScope("CTI"), To: enlace.NationScope("US"),
				Purposes: enlace.AllPurposes, EffectiveAt: at("2026-03-01T00:00Z"), Reason: "judicial review",
				IssuerAgency: "CTI", IssuerNation: "CO", IssuerRank: enlace.RankAgency},
		},
	}
}

func mustNew(t testing.TB, w World) *Policy {
	t.Helper()
	p, err := New(w)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}
