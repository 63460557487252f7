// Package schemacheck compares two versions of a GraphQL schema and lists
// the changes that can break a client written against the older one: a
// type, field, argument, input field, enum value, union member or
// interface removed; a field's type loosened (or an argument's tightened);
// a required argument or input field added. It also walks a schema for
// definitions without a description. Schemas are read with gqlparser.
package schemacheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Change is one breaking change, named by its schema coordinate
// (Type, Type.field, Type.field(arg:), Enum.VALUE).
type Change struct {
	Coordinate string
	// What says what happened, in English.
	What string
}

func (c Change) String() string { return c.Coordinate + ": " + c.What }

// Load parses an SDL document (name is used in errors).
func Load(name, sdl string) (*ast.Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("schemacheck: load %s: %w", name, err)
	}
	return s, nil
}

// Breaking lists the changes from old to new that can break an existing
// client, sorted by coordinate. Built-in types (__Schema…, String…) are
// left out.
func Breaking(old, new *ast.Schema) []Change {
	var out []Change
	add := func(coord, format string, args ...any) {
		out = append(out, Change{Coordinate: coord, What: fmt.Sprintf(format, args...)})
	}
	for name, ot := range old.Types {
		if ot.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		nt, ok := new.Types[name]
		if !ok {
			add(name, "type removed")
			continue
		}
		if nt.Kind != ot.Kind {
			add(name, "kind changed from %s to %s", ot.Kind, nt.Kind)
			continue
		}
		switch ot.Kind {
		case ast.Object, ast.Interface:
			compareFields(name, ot, nt, add)
			for _, i := range ot.Interfaces {
				if !contains(nt.Interfaces, i) {
					add(name, "no longer implements %s", i)
				}
			}
		case ast.InputObject:
			compareInputFields(name, ot.Fields, nt.Fields, add)
		case ast.Enum:
			for _, v := range ot.EnumValues {
				if nt.EnumValues.ForName(v.Name) == nil {
					add(name+"."+v.Name, "enum value removed")
				}
			}
		case ast.Union:
			for _, m := range ot.Types {
				if !contains(nt.Types, m) {
					add(name, "union member %s removed", m)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Coordinate != out[j].Coordinate {
			return out[i].Coordinate < out[j].Coordinate
		}
		return out[i].What < out[j].What
	})
	return out
}

type addFunc func(coord, format string, args ...any)

// compareFields checks an object's or interface's output fields and their
// arguments.
func compareFields(typ string, ot, nt *ast.Definition, add addFunc) {
	for _, of := range ot.Fields {
		if strings.HasPrefix(of.Name, "__") {
			continue
		}
		coord := typ + "." + of.Name
		nf := nt.Fields.ForName(of.Name)
		if nf == nil {
			add(coord, "field removed")
			continue
		}
		if !outputCompatible(of.Type, nf.Type) {
			add(coord, "type changed from %s to %s", of.Type, nf.Type)
		}
		for _, oa := range of.Arguments {
			na := nf.Arguments.ForName(oa.Name)
			acoord := coord + "(" + oa.Name + ":)"
			if na == nil {
				add(acoord, "argument removed")
				continue
			}
			if !inputCompatible(oa.Type, na.Type) {
				add(acoord, "type changed from %s to %s", oa.Type, na.Type)
			}
		}
		for _, na := range nf.Arguments {
			if of.Arguments.ForName(na.Name) == nil && required(na.Type, na.DefaultValue) {
				add(coord+"("+na.Name+":)", "required argument added")
			}
		}
	}
}

// compareInputFields checks an input object's fields.
func compareInputFields(typ string, old, new ast.FieldList, add addFunc) {
	for _, of := range old {
		coord := typ + "." + of.Name
		nf := new.ForName(of.Name)
		if nf == nil {
			add(coord, "input field removed")
			continue
		}
		if !inputCompatible(of.Type, nf.Type) {
			add(coord, "type changed from %s to %s", of.Type, nf.Type)
		}
	}
	for _, nf := range new {
		if old.ForName(nf.Name) == nil && required(nf.Type, nf.DefaultValue) {
			add(typ+"."+nf.Name, "required input field added")
		}
	}
}

// outputCompatible reports whether a client reading old can read new: the
// same named type, with non-null kept (and possibly added).
func outputCompatible(old, new *ast.Type) bool {
	if old.NonNull && !new.NonNull {
		return false
	}
	if (old.Elem == nil) != (new.Elem == nil) {
		return false
	}
	if old.Elem != nil {
		return outputCompatible(old.Elem, new.Elem)
	}
	return old.NamedType == new.NamedType
}

// inputCompatible reports whether every value a client sent for old still
// fits new: the same named type, with non-null kept or dropped, never
// added.
func inputCompatible(old, new *ast.Type) bool {
	if !old.NonNull && new.NonNull {
		return false
	}
	if (old.Elem == nil) != (new.Elem == nil) {
		return false
	}
	if old.Elem != nil {
		return inputCompatible(old.Elem, new.Elem)
	}
	return old.NamedType == new.NamedType
}

func required(t *ast.Type, def *ast.Value) bool { return t.NonNull && def == nil }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Undescribed lists the coordinates of the types, fields, arguments, input
// fields and enum values a schema defines without a description (built-in
// types and the root operation types' own definitions aside, which
// still need descriptions on their fields).
func Undescribed(s *ast.Schema) []string {
	var out []string
	for name, t := range s.Types {
		if t.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(t.Description) == "" && !isRoot(s, t) {
			out = append(out, name)
		}
		for _, f := range t.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				out = append(out, name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					out = append(out, name+"."+f.Name+"("+a.Name+":)")
				}
			}
		}
		for _, v := range t.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				out = append(out, name+"."+v.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

func isRoot(s *ast.Schema, t *ast.Definition) bool {
	return t == s.Query || t == s.Mutation || t == s.Subscription
}
