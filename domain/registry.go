package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"

	"github.com/bytedance/sonic"
)

// EventData is the payload of one event type. Each payload type names itself
// and its current schema version.
type EventData interface {
	// EventType is the registered type name, e.g. "ProgressReported".
	EventType() string
}

// Upcaster rewrites the JSON payload of an older schema version into the next
// version's shape. It is registered for the version it reads.
type Upcaster func(payload []byte) ([]byte, error)

// ErrUnknownEventType is returned when decoding an event whose type name is
// not registered.
var ErrUnknownEventType = errors.New("unknown event type")

type registration struct {
	typ       reflect.Type
	decode    decodeFunc
	packed    packedFunc // nil: packed payloads are unpacked to JSON first
	encode    encodeFunc // nil: every payload is written by encoding/json
	version   uint16
	upcasters map[uint16]Upcaster
}

// Registry maps event type names to their Go payload types and upcasts older
// schema versions on decode. Build one with NewRegistry; it is read-only after
// construction and safe for concurrent use.
//
// Payloads are encoded as encoding/json's Marshal writes them: those bytes
// are what the ledger stores and hashes (docs/ledger-format.md, "Payload
// bytes"), and their form is pinned by domain/testdata/payloads.golden.
// The domain's own types are written by a compiled writer that writes the
// same bytes (registry_encode.go); anything it does not handle, by
// encoding/json itself. Decoding is the bulk
// of a rebuild and reads bytes that are already fixed, so it uses faster
// decoders: a reader of exactly encoding/json's form (registry_fast.go)
// and, for anything else, sonic (see payloadDecoder). No decoder changes
// what is hashed.
type Registry struct {
	types map[string]*registration
	dec   sonic.API
}

// NewRegistry returns an empty registry. Most callers want DefaultRegistry.
func NewRegistry() *Registry {
	return &Registry{types: make(map[string]*registration), dec: payloadDecoder()}
}

// payloadDecoder is the JSON decoder of stored payloads: bytedance/sonic,
// maintained, about five times faster than encoding/json on our payloads
// (docs/benchmarks.md) and decoding them to the same values
// (TestFastDecoderMatchesStandardLibrary). It decodes from its own copy of
// the input, so decoded strings never alias a store's memory map
// (TestDecodedStringsDoNotAliasPayload).
func payloadDecoder() sonic.API {
	return sonic.Config{}.Froze()
}

// Register adds a payload type at its current schema version. sample is a
// zero value of the payload type (a struct, not a pointer). Taskledger's
// own payload types decode through a typed decoder (typedDecoderFor);
// any other type through reflect, to the same values.
func (r *Registry) Register(sample EventData, version uint16) {
	t := reflect.TypeOf(sample)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := sample.EventType()
	if _, dup := r.types[name]; dup {
		panic(fmt.Sprintf("domain: event type %q registered twice", name))
	}
	if version == 0 {
		version = 1
	}
	typed := typedDecoderFor(sample)
	dec := typed.decode
	if dec == nil {
		dec = newReflectDecoder(r.dec, t)
	}
	r.types[name] = &registration{typ: t, decode: dec, packed: typed.packed, encode: typed.encode, version: version, upcasters: map[uint16]Upcaster{}}
}

// RegisterUpcaster adds a function that turns a payload of schema version
// from into version from+1.
func (r *Registry) RegisterUpcaster(typeName string, from uint16, up Upcaster) error {
	reg, ok := r.types[typeName]
	if !ok {
		return fmt.Errorf("register upcaster for %q: %w", typeName, ErrUnknownEventType)
	}
	if from >= reg.version {
		return fmt.Errorf("register upcaster for %q: version %d is not older than current %d", typeName, from, reg.version)
	}
	reg.upcasters[from] = up
	return nil
}

// Version returns the current schema version of a registered type.
func (r *Registry) Version(typeName string) (uint16, bool) {
	reg, ok := r.types[typeName]
	if !ok {
		return 0, false
	}
	return reg.version, true
}

// Types lists the registered type names in sorted order.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.types))
	for name := range r.types {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Encode marshals a payload and returns its type name, schema version and JSON.
func (r *Registry) Encode(data EventData) (string, uint16, []byte, error) {
	name := data.EventType()
	reg, ok := r.types[name]
	if !ok {
		return "", 0, nil, fmt.Errorf("encode %q: %w", name, ErrUnknownEventType)
	}
	if reg.encode != nil {
		if b, ok := reg.encode(data); ok {
			return name, reg.version, b, nil
		}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode %q: %w", name, err)
	}
	return name, reg.version, b, nil
}

// Decode returns the typed payload of a recorded event, upcasting older
// schema versions first. The result is a value of the registered struct type.
func (r *Registry) Decode(e *Event) (EventData, error) {
	reg, ok := r.types[e.Type]
	if !ok {
		return nil, fmt.Errorf("decode event %s at %s/%d: %w %q", e.ID, e.Stream, e.Version, ErrUnknownEventType, e.Type)
	}
	payload := e.Payload
	v := e.SchemaVersion
	if v == 0 {
		v = 1
	}
	if v > reg.version {
		return nil, fmt.Errorf("decode event %s (%s): schema version %d is newer than this build knows (%d)", e.ID, e.Type, v, reg.version)
	}
	for ; v < reg.version; v++ {
		up, ok := reg.upcasters[v]
		if !ok {
			return nil, fmt.Errorf("decode event %s (%s): no upcaster from schema version %d", e.ID, e.Type, v)
		}
		var err error
		if payload, err = up(payload); err != nil {
			return nil, fmt.Errorf("decode event %s (%s): upcast from version %d: %w", e.ID, e.Type, v, err)
		}
	}
	data, err := reg.decode(payload)
	if err != nil {
		return nil, fmt.Errorf("decode event %s (%s): %w", e.ID, e.Type, err)
	}
	return data, nil
}
