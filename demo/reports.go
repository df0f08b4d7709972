package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// ReportCount is how many synthetic reports Seed writes.
const ReportCount = 50

var places = []struct {
	name     string
	lat, lon float64
}{
	{"Tumaco", 1.806, -78.764}, {"Buenaventura", 3.883, -77.031}, {"Golfo de Urabá", 8.33, -76.9},
	{"Cartagena", 10.391, -75.479}, {"La Guajira", 11.544, -72.907}, {"Santa Marta", 11.241, -74.199},
	{"Isla Malpelo", 4.0, -81.6}, {"Bahía Solano", 6.227, -77.405}, {"Barranquilla", 10.964, -74.796},
	{"Golfo de Fonseca", 13.2, -87.6}, {"La Mosquitia", 15.3, -84.2}, {"Darién", 8.4, -77.9},
}

var destinations = []string{"Central American Pacific coast", "Honduran Caribbean coast", "Guatemala Pacific coast", "Eastern Caribbean", "Galápagos corridor", "Mexican Pacific coast"}

// Fictional names: no real person or company is meant.
var givenNames = []string{"Aurelio", "Bernarda", "Críspulo", "Dorotea", "Eusebio", "Filomena", "Gumersindo", "Hortensia", "Isidoro", "Jacinta"}
var familyNames = []string{"Ficticio Ramírez", "Inventado Suárez", "Imaginario Londoño", "Supuesto Cárdenas", "Irreal Benítez", "Quimera Ospina"}
var companies = []string{"Transportes Marítimos Ficticios S.A.S.", "Pesquera Imaginaria del Pacífico Ltda.", "Logística Inventada del Caribe S.A.", "Astilleros Quimera S.A.S.", "Importadora Supuesta Ltda."}

type origin struct {
	analyst string
	weight  int
}

// Colombian agencies originate most of the demo's intelligence, as in the
// seed report (85% of what US task forces use).
var origins = []origin{
	{"dipol-analyst", 16}, {"dijin-analyst", 12}, {"cti-analyst", 8},
	{"dea-analyst", 6}, {"fbi-analyst", 3}, {"hsi-analyst", 3}, {"nca-analyst", 2},
}

func pickOrigin(r *rand.Rand) string {
	total := 0
	for _, o := range origins {
		total += o.weight
	}
	n := r.IntN(total)
	for _, o := range origins {
		if n < o.weight {
			return o.analyst
		}
		n -= o.weight
	}
	return origins[0].analyst
}

func seedReports(ctx context.Context, x *exchange.Exchange, by map[string]enlace.User, now time.Time) error {
	r := newRand()
	var prior []string
	for i := range ReportCount {
		analyst := pickOrigin(r)
		u := by[analyst]
		rep := synthReport(r, i, u, now.Add(time.Duration(i-ReportCount)*time.Hour))
		if len(prior) > 0 && r.IntN(5) == 0 {
			// An analyst builds on a report it has read: read it first,
			// as the analyst would, and derive from it if the policy
			// released it.
			src := prior[r.IntN(len(prior))]
			if _, _, err := x.Read(ctx, u, src, string(enlace.PurposeInvestigation)); err == nil {
				rep.DerivedFrom = []string{src}
			} else if c := enlace.ErrorCode(err); c != enlace.ENotFound && c != enlace.EForbidden {
				return fmt.Errorf("report %d by %s: read its source: %w", i, analyst, err)
			}
		}
		created, err := x.CreateReport(ctx, u, rep)
		if err != nil {
			return fmt.Errorf("report %d by %s: %w", i, analyst, err)
		}
		prior = append(prior, created.ID)
	}
	return nil
}

func synthReport(r *rand.Rand, i int, u enlace.User, at time.Time) enlace.Report {
	s := stixBuilder{r: r, at: at}
	place := places[r.IntN(len(places))]
	dest := destinations[r.IntN(len(destinations))]
	loc := s.location(place.name, place.lat, place.lon)
	var title, desc string
	objs := []map[string]any{loc}
	switch i % 4 {
	case 0:
		v := s.vessel("go-fast", fmt.Sprintf("Unnamed go-fast %c%d", 'A'+rune(r.IntN(26)), 100+r.IntN(900)))
		title = fmt.Sprintf("Go-fast boat departing %s toward the %s", place.name, dest)
		desc = fmt.Sprintf("Twin-outboard go-fast boat with %d crew expected to depart %s within 72 hours carrying an estimated %d kg of cocaine hydrochloride. Synthetic demo report.", 2+r.IntN(3), place.name, 300+r.IntN(1500))
		objs = append(objs, v, s.rel("located-at", v, loc))
	case 1:
		v := s.vessel("semi-submersible", fmt.Sprintf("LPV-%d", 10+r.IntN(90)))
		title = fmt.Sprintf("Semi-submersible under construction near %s", place.name)
		desc = fmt.Sprintf("A low-profile vessel about %d m long is being fitted in a mangrove inlet near %s; launch expected toward the %s. Synthetic demo report.", 15+r.IntN(12), place.name, dest)
		objs = append(objs, v, s.rel("located-at", v, loc))
	case 2:
		via := places[r.IntN(len(places))]
		title = fmt.Sprintf("Maritime route %s – %s – %s", place.name, via.name, dest)
		desc = fmt.Sprintf("Recurring route used by go-fast boats: departure from %s, refuelling off %s, delivery on the %s. Synthetic demo report.", place.name, via.name, dest)
		objs = append(objs, s.location(via.name, via.lat, via.lon))
	default:
		person := s.person(givenNames[r.IntN(len(givenNames))] + " " + familyNames[r.IntN(len(familyNames))])
		org := s.organization(companies[r.IntN(len(companies))])
		title = fmt.Sprintf("Logistics network around %s", org["name"])
		desc = fmt.Sprintf("%s (fictional) coordinates fuel and crews for departures from %s through %s (fictional). Synthetic demo report.", person["name"], place.name, org["name"])
		objs = append(objs, person, org, s.rel("affiliated-with", person, org), s.rel("located-at", org, loc))
	}
	raw := make([]json.RawMessage, len(objs))
	for k, o := range objs {
		raw[k], _ = json.Marshal(o)
	}
	return enlace.Report{
		ID:          s.id("report"),
		Title:       title,
		Description: desc,
		Markings:    markings(r, u.Nation),
		Grading:     admiralty(r),
		Objects:     raw,
		Synthetic:   true,
		Published:   at,
	}
}

func markings(r *rand.Rand, nation string) enlace.Markings {
	m := enlace.Markings{}
	switch n := r.IntN(20); {
	case n < 2:
		m.TLP = enlace.TLPClear
	case n < 7:
		m.TLP = enlace.TLPGreen
	case n < 17:
		m.TLP = enlace.TLPAmber
	case n < 19:
		m.TLP = enlace.TLPAmberStrict
		m.Recipients = []string{"DEA"}
	default:
		m.TLP = enlace.TLPRed
		m.Recipients = []string{"DEA", "HSI"}
	}
	if nation == "GB" {
		m.Recipients = nil
		if m.TLP > enlace.TLPAmber {
			m.TLP = enlace.TLPAmber
		}
	}
	if r.IntN(10) < 7 {
		m.Handling = append(m.Handling, enlace.H0)
	}
	if r.IntN(10) < 3 {
		m.Handling = append(m.Handling, enlace.H2)
	}
	if r.IntN(10) < 1 {
		m.Handling = append(m.Handling, enlace.H1)
	}
	if nation == "US" && r.IntN(4) == 0 {
		m.Handling = append(m.Handling, enlace.ORCON)
	}
	m.UseRestriction.ProhibitedPurposes = []enlace.Purpose{enlace.PurposeLethalTargeting}
	return m
}

func admiralty(r *rand.Rand) enlace.Grading {
	g := []string{"A1", "A2", "B1", "B2", "B2", "B3", "C2", "C3", "F6"}[r.IntN(9)]
	return enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: g[:1], Information: g[1:]}
}

// stixBuilder makes STIX 2.1 objects with ids from the demo's random
// source.
type stixBuilder struct {
	r  *rand.Rand
	at time.Time
}

func (s stixBuilder) id(typ string) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(s.r.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%s--%x-%x-%x-%x-%x", typ, b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s stixBuilder) base(typ string) map[string]any {
	ts := s.at.UTC().Format("2006-01-02T15:04:05.000Z")
	return map[string]any{"type": typ, "spec_version": "2.1", "id": s.id(typ), "created": ts, "modified": ts}
}

func (s stixBuilder) location(name string, lat, lon float64) map[string]any {
	o := s.base("location")
	o["name"], o["latitude"], o["longitude"] = name, lat, lon
	return o
}

func (s stixBuilder) vessel(kind, name string) map[string]any {
	o := s.base("x-enlace-vessel")
	o["name"], o["vessel_type"] = name, kind
	o["description"] = "Synthetic vessel for the enlace demo."
	return o
}

func (s stixBuilder) person(name string) map[string]any {
	o := s.base("identity")
	o["name"], o["identity_class"] = name+" (fictional)", "individual"
	o["description"] = "Fictional person created for the enlace demo."
	return o
}

func (s stixBuilder) organization(name string) map[string]any {
	o := s.base("identity")
	o["name"], o["identity_class"] = name+" (fictional)", "organization"
	o["description"] = "Fictional company created for the enlace demo."
	return o
}

func (s stixBuilder) rel(kind string, src, dst map[string]any) map[string]any {
	o := s.base("relationship")
	o["relationship_type"], o["source_ref"], o["target_ref"] = kind, src["id"], dst["id"]
	return o
}
