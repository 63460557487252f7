package planparse

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

//go:embed units/chifeng.json
var chifengJSON string

// Unit kinds a registry may hold.
const (
	KindBureau = "bureau"
	KindCounty = "county"
	KindBody   = "body"
	// KindCollective is a collective duty-holder: a collective phrase such
	// as 各区、县级市 that the registry cannot expand, kept whole as one
	// holder. Registry files cannot declare it.
	KindCollective = "collective"
)

// Unit is one entry of a unit registry.
type Unit struct {
	// ID is a stable ASCII id such as "bureau.ecology-environment".
	ID string `json:"id"`
	// Name is the display name, without the city prefix: "生态环境局".
	Name string `json:"name"`
	// Kind is bureau, county or body.
	Kind string `json:"kind"`
	// Aliases are other spellings that name the unit.
	Aliases []string `json:"aliases,omitempty"`
	// Jurisdiction is the place the unit belongs to when it is not the
	// registry's: a provincial registry naming 赤峰海关 may say 赤峰市, so
	// that plans of both places share the one unit. Empty means the
	// registry's jurisdiction.
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

// Group is a collective phrase the registry can expand into units, such as
// 各旗县区人民政府 → the twelve county governments.
type Group struct {
	// Name is the phrase.
	Name string `json:"name"`
	// Aliases are other spellings of the phrase.
	Aliases []string `json:"aliases,omitempty"`
	// Members are the ids of the units the phrase stands for.
	Members []string `json:"members"`
}

// registryFile is the JSON form of a registry.
type registryFile struct {
	Jurisdiction  string   `json:"jurisdiction"`
	StripPrefixes []string `json:"strip_prefixes"`
	Units         []Unit   `json:"units"`
	Groups        []Group  `json:"groups"`
}

// Registry normalises the unit names a plan writes to registry units. It is
// immutable once loaded and safe for concurrent use.
type Registry struct {
	jurisdiction string
	prefixes     []string
	units        []Unit
	groups       []Group
	byKey        map[string]int // name key → index in units
	groupByKey   map[string]int // name key → index in groups
}

// LoadRegistry reads a registry from its JSON form:
//
//	{"jurisdiction": "赤峰市", "strip_prefixes": ["赤峰市"],
//	 "units": [{"id": "bureau.ecology-environment", "name": "生态环境局",
//	            "kind": "bureau", "aliases": ["市生态环境局"]}, …],
//	 "groups": [{"name": "各旗县区人民政府", "members": ["county.hongshan", …]}]}
//
// Ids must be non-empty printable ASCII and unique; names and aliases must be
// unique across units; kinds must be bureau, county or body; group members
// must be unit ids. The registry is used only for plans of its jurisdiction
// (any plan when it names none); a unit may name its own jurisdiction when it
// is not the registry's ("jurisdiction": "赤峰市").
func LoadRegistry(r io.Reader) (*Registry, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f registryFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("planparse: load registry: %w", err)
	}
	reg := &Registry{
		jurisdiction: f.Jurisdiction,
		byKey:        make(map[string]int),
		groupByKey:   make(map[string]int),
	}
	for _, p := range f.StripPrefixes {
		if p = strings.TrimSpace(p); p != "" {
			reg.prefixes = append(reg.prefixes, p)
		}
	}
	ids := make(map[string]bool)
	for i, u := range f.Units {
		if err := validID(u.ID); err != nil {
			return nil, fmt.Errorf("planparse: load registry: unit %d (%q): %w", i, u.Name, err)
		}
		if ids[u.ID] {
			return nil, fmt.Errorf("planparse: load registry: duplicate unit id %q", u.ID)
		}
		ids[u.ID] = true
		switch u.Kind {
		case KindBureau, KindCounty, KindBody:
		default:
			return nil, fmt.Errorf("planparse: load registry: unit %q: kind %q is not bureau, county or body", u.ID, u.Kind)
		}
		if strings.TrimSpace(u.Name) == "" {
			return nil, fmt.Errorf("planparse: load registry: unit %q has no name", u.ID)
		}
		u.Aliases = append([]string(nil), u.Aliases...)
		reg.units = append(reg.units, u)
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			k := nameKey(n)
			if k == "" {
				return nil, fmt.Errorf("planparse: load registry: unit %q has an empty alias", u.ID)
			}
			if j, dup := reg.byKey[k]; dup && j != i {
				return nil, fmt.Errorf("planparse: load registry: name %q names both %q and %q", n, reg.units[j].ID, u.ID)
			}
			reg.byKey[k] = i
		}
	}
	for i, g := range f.Groups {
		if strings.TrimSpace(g.Name) == "" {
			return nil, fmt.Errorf("planparse: load registry: group %d has no name", i)
		}
		if len(g.Members) == 0 {
			return nil, fmt.Errorf("planparse: load registry: group %q has no members", g.Name)
		}
		for _, m := range g.Members {
			if !ids[m] {
				return nil, fmt.Errorf("planparse: load registry: group %q: member %q is not a unit id", g.Name, m)
			}
		}
		g.Aliases = append([]string(nil), g.Aliases...)
		g.Members = append([]string(nil), g.Members...)
		reg.groups = append(reg.groups, g)
		for _, n := range append([]string{g.Name}, g.Aliases...) {
			k := nameKey(n)
			if _, dup := reg.byKey[k]; dup {
				return nil, fmt.Errorf("planparse: load registry: group name %q is also a unit name", n)
			}
			if _, dup := reg.groupByKey[k]; dup {
				return nil, fmt.Errorf("planparse: load registry: duplicate group name %q", n)
			}
			reg.groupByKey[k] = i
		}
	}
	return reg, nil
}

// ChifengRegistry returns the embedded registry of Chifeng's units
// (units/chifeng.json): its bureaus, its twelve county governments and the
// other bodies the air-quality plan names. Each call returns a fresh value.
// It panics only if the embedded file is corrupt, which the package tests
// rule out.
func ChifengRegistry() *Registry {
	reg, err := LoadRegistry(strings.NewReader(chifengJSON))
	if err != nil {
		panic(fmt.Sprintf("planparse: embedded registry units/chifeng.json: %v", err))
	}
	return reg
}

// EmptyRegistry returns a registry that knows no unit: every unit a plan
// names becomes a new unit with a warning.
func EmptyRegistry() *Registry {
	return &Registry{byKey: map[string]int{}, groupByKey: map[string]int{}}
}

// Jurisdiction is the place the registry describes, e.g. "赤峰市"; empty
// for a registry that fits any plan.
func (r *Registry) Jurisdiction() string { return r.jurisdiction }

// withJurisdiction returns the registry for a plan of jurisdiction j: the
// same units, with j as its jurisdiction when it had none.
func (r *Registry) withJurisdiction(j string) *Registry {
	if r.jurisdiction != "" || j == "" {
		return r
	}
	c := *r
	c.jurisdiction = j
	return &c
}

// unitsOfKind returns the registry's units of a kind, in file order.
func (r *Registry) unitsOfKind(kind string) []Unit {
	var out []Unit
	for _, u := range r.units {
		if u.Kind == kind {
			u.Aliases = append([]string(nil), u.Aliases...)
			out = append(out, u)
		}
	}
	return out
}

// Units returns a copy of the registry's units in file order.
func (r *Registry) Units() []Unit {
	out := make([]Unit, len(r.units))
	for i, u := range r.units {
		u.Aliases = append([]string(nil), u.Aliases...)
		out[i] = u
	}
	return out
}

// Groups returns a copy of the registry's groups in file order.
func (r *Registry) Groups() []Group {
	out := make([]Group, len(r.groups))
	for i, g := range r.groups {
		g.Aliases = append([]string(nil), g.Aliases...)
		g.Members = append([]string(nil), g.Members...)
		out[i] = g
	}
	return out
}

// Unit returns the unit with the given id.
func (r *Registry) Unit(id string) (Unit, bool) {
	for _, u := range r.units {
		if u.ID == id {
			u.Aliases = append([]string(nil), u.Aliases...)
			return u, true
		}
	}
	return Unit{}, false
}

// Lookup finds the unit a written name stands for. It tries the name as
// written, then without one of the registry's prefixes ("赤峰市生态环境局" →
// "生态环境局"), then without a leading "市" ("市生态环境局"); names and
// aliases compare ignoring spaces and the width of parentheses.
func (r *Registry) Lookup(name string) (Unit, bool) {
	if i, ok := r.lookupIndex(name); ok {
		u := r.units[i]
		u.Aliases = append([]string(nil), u.Aliases...)
		return u, true
	}
	return Unit{}, false
}

func (r *Registry) lookupIndex(name string) (int, bool) {
	k := nameKey(name)
	if k == "" {
		return 0, false
	}
	if i, ok := r.byKey[k]; ok {
		return i, true
	}
	for _, p := range r.prefixes {
		pk := nameKey(p)
		if strings.HasPrefix(k, pk) {
			if i, ok := r.byKey[strings.TrimPrefix(k, pk)]; ok {
				return i, true
			}
		}
	}
	if strings.HasPrefix(k, "市") {
		if i, ok := r.byKey[strings.TrimPrefix(k, "市")]; ok {
			return i, true
		}
	}
	return 0, false
}

// LookupGroup finds the group a collective phrase stands for and returns its
// member units.
func (r *Registry) LookupGroup(phrase string) ([]Unit, bool) {
	k := nameKey(phrase)
	i, ok := r.groupByKey[k]
	if !ok {
		for _, p := range r.prefixes {
			if pk := nameKey(p); strings.HasPrefix(k, pk) {
				i, ok = r.groupByKey[strings.TrimPrefix(k, pk)]
				if ok {
					break
				}
			}
		}
	}
	if !ok {
		return nil, false
	}
	var out []Unit
	for _, id := range r.groups[i].Members {
		if u, ok := r.Unit(id); ok {
			out = append(out, u)
		}
	}
	return out, true
}

// stripPrefix removes one of the registry's prefixes from a written name
// that the registry does not know, so that new units are displayed the way
// known ones are ("赤峰市教育局" → "教育局").
func (r *Registry) stripPrefix(name string) string {
	for _, p := range r.prefixes {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			return rest
		}
	}
	return name
}

// countyNames returns every name and alias of the registry's county units,
// with the unit id, for recognising a target's scope.
func (r *Registry) countyNames() []nameID {
	var out []nameID
	for _, u := range r.units {
		if u.Kind != KindCounty {
			continue
		}
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			out = append(out, nameID{name: n, id: u.ID})
			for _, p := range r.prefixes {
				out = append(out, nameID{name: p + n, id: u.ID})
			}
		}
	}
	return out
}

type nameID struct{ name, id string }

// nameKey is the comparison form of a unit name: spaces removed and
// parentheses made full-width.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '\u3000', '\u00a0':
			continue
		case '(':
			r = '（'
		case ')':
			r = '）'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func validID(id string) error {
	if id == "" {
		return errors.New("empty id")
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("id %q is not printable ASCII", id)
		}
	}
	return nil
}
