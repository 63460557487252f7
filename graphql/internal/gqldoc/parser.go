package gqldoc

import (
	"fmt"
	"strconv"
)

// MaxNesting bounds how deeply selection sets, lists and objects may nest
// in a document; the parser refuses deeper documents rather than recurse
// without limit.
const MaxNesting = 64

// OpType is an operation's type.
type OpType string

// The operation types.
const (
	Query        OpType = "query"
	Mutation     OpType = "mutation"
	Subscription OpType = "subscription"
)

// Document is a parsed executable document.
type Document struct {
	Operations []*Operation
	Fragments  map[string]*Fragment
}

// Operation is one operation definition.
type Operation struct {
	Type      OpType
	Name      string
	Selection []Selection
}

// Fragment is a named fragment definition.
type Fragment struct {
	Name      string
	On        string
	Selection []Selection
}

// Selection is a field, a fragment spread or an inline fragment.
type Selection struct {
	// Field is set for a field.
	Field *Field
	// Spread names the fragment of a fragment spread.
	Spread string
	// Inline is the selection of an inline fragment.
	Inline []Selection
	// IsInline marks an inline fragment (whose selection may not be empty).
	IsInline bool
}

// Field is one selected field.
type Field struct {
	Alias     string
	Name      string
	Args      map[string]Value
	Selection []Selection
}

// ValueKind is the kind of an argument value.
type ValueKind int

// The value kinds.
const (
	VarValue ValueKind = iota
	IntValue
	FloatValue
	StringValue
	BoolValue
	NullValue
	EnumValue
	ListValue
	ObjectValue
)

// Value is an argument value as written.
type Value struct {
	Kind   ValueKind
	Raw    string // variable name, literal text or decoded string
	List   []Value
	Fields map[string]Value
}

// Int returns the value of an Int literal.
func (v Value) Int() (int64, bool) {
	if v.Kind != IntValue {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	return n, err == nil
}

type parser struct {
	lex   lexer
	tok   token
	depth int
}

// Parse parses an executable document. Type system definitions are refused.
func Parse(src string) (*Document, error) {
	p := &parser{lex: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	doc := &Document{Fragments: map[string]*Fragment{}}
	if p.tok.kind == tokEOF {
		return nil, p.lex.errAt(p.tok.pos, "the document has no operation")
	}
	for p.tok.kind != tokEOF {
		switch {
		case p.isPunct("{"):
			sel, err := p.selectionSet()
			if err != nil {
				return nil, err
			}
			doc.Operations = append(doc.Operations, &Operation{Type: Query, Selection: sel})
		case p.tok.kind == tokName && (p.tok.text == "query" || p.tok.text == "mutation" || p.tok.text == "subscription"):
			op, err := p.operation()
			if err != nil {
				return nil, err
			}
			doc.Operations = append(doc.Operations, op)
		case p.tok.kind == tokName && p.tok.text == "fragment":
			f, err := p.fragment()
			if err != nil {
				return nil, err
			}
			if _, dup := doc.Fragments[f.Name]; dup {
				return nil, fmt.Errorf("there are two fragments named %q", f.Name)
			}
			doc.Fragments[f.Name] = f
		default:
			return nil, p.unexpected("an operation or a fragment")
		}
	}
	if len(doc.Operations) == 0 {
		return nil, fmt.Errorf("the document has no operation")
	}
	return doc, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) isPunct(s string) bool { return p.tok.kind == tokPunct && p.tok.text == s }

func (p *parser) unexpected(want string) error {
	got := p.tok.text
	switch p.tok.kind {
	case tokEOF:
		got = "the end of the document"
	case tokString:
		got = "a string"
	default:
		got = strconv.Quote(got)
	}
	return p.lex.errAt(p.tok.pos, "expected %s, found %s", want, got)
}

func (p *parser) expectPunct(s string) error {
	if !p.isPunct(s) {
		return p.unexpected(strconv.Quote(s))
	}
	return p.advance()
}

func (p *parser) name() (string, error) {
	if p.tok.kind != tokName {
		return "", p.unexpected("a name")
	}
	s := p.tok.text
	return s, p.advance()
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxNesting {
		return p.lex.errAt(p.tok.pos, "the document nests deeper than %d levels", MaxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) operation() (*Operation, error) {
	op := &Operation{Type: OpType(p.tok.text)}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokName {
		op.Name = p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if p.isPunct("(") {
		if err := p.variableDefinitions(); err != nil {
			return nil, err
		}
	}
	if err := p.directives(); err != nil {
		return nil, err
	}
	sel, err := p.selectionSet()
	if err != nil {
		return nil, err
	}
	op.Selection = sel
	return op, nil
}

func (p *parser) variableDefinitions() error {
	if err := p.expectPunct("("); err != nil {
		return err
	}
	for !p.isPunct(")") {
		if err := p.expectPunct("$"); err != nil {
			return err
		}
		if _, err := p.name(); err != nil {
			return err
		}
		if err := p.expectPunct(":"); err != nil {
			return err
		}
		if err := p.typeRef(); err != nil {
			return err
		}
		if p.isPunct("=") {
			if err := p.advance(); err != nil {
				return err
			}
			if _, err := p.value(); err != nil {
				return err
			}
		}
		if err := p.directives(); err != nil {
			return err
		}
	}
	return p.advance()
}

func (p *parser) typeRef() error {
	if err := p.enter(); err != nil {
		return err
	}
	defer p.leave()
	if p.isPunct("[") {
		if err := p.advance(); err != nil {
			return err
		}
		if err := p.typeRef(); err != nil {
			return err
		}
		if err := p.expectPunct("]"); err != nil {
			return err
		}
	} else if _, err := p.name(); err != nil {
		return err
	}
	if p.isPunct("!") {
		return p.advance()
	}
	return nil
}

func (p *parser) directives() error {
	for p.isPunct("@") {
		if err := p.advance(); err != nil {
			return err
		}
		if _, err := p.name(); err != nil {
			return err
		}
		if p.isPunct("(") {
			if _, err := p.arguments(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *parser) selectionSet() ([]Selection, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.expectPunct("{"); err != nil {
		return nil, err
	}
	var out []Selection
	for !p.isPunct("}") {
		s, err := p.selection()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, p.lex.errAt(p.tok.pos, "a selection set may not be empty")
	}
	return out, p.advance()
}

func (p *parser) selection() (Selection, error) {
	if p.isPunct("...") {
		if err := p.advance(); err != nil {
			return Selection{}, err
		}
		if p.tok.kind == tokName && p.tok.text != "on" {
			name := p.tok.text
			if err := p.advance(); err != nil {
				return Selection{}, err
			}
			return Selection{Spread: name}, p.directives()
		}
		if p.tok.kind == tokName && p.tok.text == "on" {
			if err := p.advance(); err != nil {
				return Selection{}, err
			}
			if _, err := p.name(); err != nil {
				return Selection{}, err
			}
		}
		if err := p.directives(); err != nil {
			return Selection{}, err
		}
		sel, err := p.selectionSet()
		return Selection{Inline: sel, IsInline: true}, err
	}
	f := &Field{}
	name, err := p.name()
	if err != nil {
		return Selection{}, err
	}
	f.Name = name
	if p.isPunct(":") {
		if err := p.advance(); err != nil {
			return Selection{}, err
		}
		if f.Name, err = p.name(); err != nil {
			return Selection{}, err
		}
		f.Alias = name
	}
	if p.isPunct("(") {
		if f.Args, err = p.arguments(); err != nil {
			return Selection{}, err
		}
	}
	if err := p.directives(); err != nil {
		return Selection{}, err
	}
	if p.isPunct("{") {
		if f.Selection, err = p.selectionSet(); err != nil {
			return Selection{}, err
		}
	}
	return Selection{Field: f}, nil
}

func (p *parser) arguments() (map[string]Value, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	args := map[string]Value{}
	for !p.isPunct(")") {
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		args[name] = v
	}
	if len(args) == 0 {
		return nil, p.lex.errAt(p.tok.pos, "an argument list may not be empty")
	}
	return args, p.advance()
}

func (p *parser) value() (Value, error) {
	if err := p.enter(); err != nil {
		return Value{}, err
	}
	defer p.leave()
	t := p.tok
	switch {
	case p.isPunct("$"):
		if err := p.advance(); err != nil {
			return Value{}, err
		}
		name, err := p.name()
		return Value{Kind: VarValue, Raw: name}, err
	case t.kind == tokInt:
		return Value{Kind: IntValue, Raw: t.text}, p.advance()
	case t.kind == tokFloat:
		return Value{Kind: FloatValue, Raw: t.text}, p.advance()
	case t.kind == tokString:
		return Value{Kind: StringValue, Raw: t.text}, p.advance()
	case t.kind == tokName:
		kind := EnumValue
		switch t.text {
		case "true", "false":
			kind = BoolValue
		case "null":
			kind = NullValue
		}
		return Value{Kind: kind, Raw: t.text}, p.advance()
	case p.isPunct("["):
		if err := p.advance(); err != nil {
			return Value{}, err
		}
		v := Value{Kind: ListValue}
		for !p.isPunct("]") {
			item, err := p.value()
			if err != nil {
				return Value{}, err
			}
			v.List = append(v.List, item)
		}
		return v, p.advance()
	case p.isPunct("{"):
		if err := p.advance(); err != nil {
			return Value{}, err
		}
		v := Value{Kind: ObjectValue, Fields: map[string]Value{}}
		for !p.isPunct("}") {
			name, err := p.name()
			if err != nil {
				return Value{}, err
			}
			if err := p.expectPunct(":"); err != nil {
				return Value{}, err
			}
			item, err := p.value()
			if err != nil {
				return Value{}, err
			}
			v.Fields[name] = item
		}
		return v, p.advance()
	}
	return Value{}, p.unexpected("a value")
}

func (p *parser) fragment() (*Fragment, error) {
	if err := p.advance(); err != nil { // "fragment"
		return nil, err
	}
	if p.tok.kind == tokName && p.tok.text == "on" {
		return nil, p.lex.errAt(p.tok.pos, "a fragment may not be named \"on\"")
	}
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokName || p.tok.text != "on" {
		return nil, p.unexpected(`"on"`)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	on, err := p.name()
	if err != nil {
		return nil, err
	}
	if err := p.directives(); err != nil {
		return nil, err
	}
	sel, err := p.selectionSet()
	if err != nil {
		return nil, err
	}
	return &Fragment{Name: name, On: on, Selection: sel}, nil
}
