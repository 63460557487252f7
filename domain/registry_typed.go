package domain

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/bytedance/sonic"
	"github.com/bytedance/sonic/decoder"

	"taskledger/internal/packed"
)

// decodeFunc decodes one payload of a registered type into its typed value.
// The value must not point into payload: a replay reuses that buffer.
type decodeFunc func(payload []byte) (EventData, error)

// typedSlot is what a typed decoder reuses from one payload to the next:
// the value decoded into and sonic's decoder state.
type typedSlot[T EventData] struct {
	val   T
	dec   decoder.Decoder
	canon canonScratch
	// slab is memory for the values the fast decoders write, taken from
	// the front one value at a time: one allocation for many values. A
	// value taken is handed out or dropped, never written again.
	slab []T
}

// slabBytes is about how much memory a slot allocates at a time for the
// values it decodes.
const slabBytes = 4096

// fresh returns memory of its own for one value, zeroed.
func (s *typedSlot[T]) fresh() *T {
	if len(s.slab) == 0 {
		s.slab = make([]T, max(1, min(64, slabBytes/max(1, int(unsafe.Sizeof(*new(T)))))))
	}
	p := &s.slab[0]
	s.slab = s.slab[1:]
	return p
}

// newTypedDecoder returns the decoder of payload type T. It reads a payload
// in encoding/json's own form with the canonical reader (registry_fast.go)
// when T's fields allow it, and any other payload, or every payload of a
// type the canonical reader does not handle, the way payloadDecoder's
// Unmarshal does (same options: none; the same check for trailing bytes).
// A slot kept for reuse holds the sonic decoder and the scratch space, so
// a payload costs one copy of its strings (the canonical reader's; sonic
// copies the whole input). No decoded string points into payload. The
// canonical reader and the packed programs write each value into zeroed
// memory of its own, taken from the slot's slab and handed out as it is
// (newBoxer); sonic decodes into the slot's value, zeroed before each
// decode, and the caller gets a copy of it.
func newTypedDecoder[T EventData]() typedDecoders {
	pool := &sync.Pool{New: func() any { return new(typedSlot[T]) }}
	canon := newCanonType(reflect.TypeFor[T]())
	return typedDecoders{decode: newTypedJSON[T](pool, canon), packed: newTypedPacked[T](pool, canon), encode: newTypedEncoder[T]()}
}

// typedDecoders are the decoders of one payload type: from JSON, and from
// the packed form (registry_packed.go); and its writer (registry_encode.go).
type typedDecoders struct {
	decode decodeFunc
	packed packedFunc
	encode encodeFunc
}

// newTypedJSON is newTypedDecoder's decoder of JSON payloads.
func newTypedJSON[T EventData](pool *sync.Pool, canon *canonType) decodeFunc {
	box := newBoxer[T]()
	return func(payload []byte) (EventData, error) {
		s := pool.Get().(*typedSlot[T])
		var zero T
		if canon != nil {
			p := s.fresh()
			if readCanonical(canon, payload, unsafe.Pointer(p), &s.canon) {
				pool.Put(s)
				return box(p), nil
			}
			// A partial read may hold strings that point into payload,
			// which the slab must not keep.
			*p = zero
		}
		s.val = zero
		s.dec.Reset(string(payload))
		s.dec.SetOptions(payloadDecoderOptions)
		err := s.dec.Decode(&s.val)
		if err == nil {
			err = s.dec.CheckTrailings()
		}
		v := s.val
		s.val = zero // drop the references before the slot waits in the pool
		s.dec.Reset("")
		pool.Put(s)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
}

// newTypedPacked is newTypedDecoder's decoder of packed values, through
// the program compiled for each shape it meets.
func newTypedPacked[T EventData](pool *sync.Pool, canon *canonType) packedFunc {
	key := reflect.TypeFor[T]()
	box := newBoxer[T]()
	return func(sh *packed.Shape, vals []byte, decompress Decompress) (EventData, bool) {
		prog := programFor(sh, key, canon)
		if prog == noProgram {
			return nil, false
		}
		s := pool.Get().(*typedSlot[T])
		p := s.fresh()
		ok := prog.run(unsafe.Pointer(p), vals, decompress, &s.canon)
		pool.Put(s)
		if !ok {
			var zero T
			*p = zero // what a failed program set is dropped with it
			return nil, false
		}
		return box(p), true
	}
}

// newBoxer returns the function that puts a decoded value into EventData
// without copying it. Go keeps a value that is not pointer-shaped in an
// interface as a pointer to a copy of it on the heap; the decoders write
// each value into memory of its own, so the interface can take that
// pointer as its copy, saving the allocation and the copy the conversion
// would make (a quarter of decoding a progress report's packed
// form: BenchmarkDecodePacked), and the decoders take that memory from
// slabs of many values (typedSlot.fresh). box takes p over: nothing
// writes *p afterwards. A type of at most a pointer's size may be pointer-shaped,
// kept in the interface itself, and is converted as usual.
func newBoxer[T EventData]() func(p *T) EventData {
	if unsafe.Sizeof(*new(T)) <= unsafe.Sizeof(uintptr(0)) {
		return func(p *T) EventData { return *p }
	}
	var sample EventData = *new(T)
	tab := (*ifaceWords)(unsafe.Pointer(&sample)).tab
	return func(p *T) EventData {
		var out EventData
		w := (*ifaceWords)(unsafe.Pointer(&out))
		w.tab, w.data = tab, unsafe.Pointer(p)
		return out
	}
}

// ifaceWords is the layout of a non-empty interface value: its type's
// method table and its data word.
type ifaceWords struct{ tab, data unsafe.Pointer }

// payloadDecoderOptions are the sonic decoder options of payloadDecoder
// (sonic.Config{}): none.
const payloadDecoderOptions decoder.Options = 0

// newReflectDecoder is the decoder of a payload type registered without a
// typed decoder (see typedDecoderFor): a fresh value through reflect.
func newReflectDecoder(api sonic.API, t reflect.Type) decodeFunc {
	return func(payload []byte) (EventData, error) {
		ptr := reflect.New(t)
		if err := api.Unmarshal(payload, ptr.Interface()); err != nil {
			return nil, err
		}
		data, ok := ptr.Elem().Interface().(EventData)
		if !ok {
			return nil, fmt.Errorf("registered type %s does not implement EventData", t)
		}
		return data, nil
	}
}

// typedDecoderFor returns the typed decoders of a taskledger payload type,
// or none for a type it does not list (which then decodes through
// reflect). TestEveryEventTypeHasATypedDecoder keeps it complete.
func typedDecoderFor(sample EventData) typedDecoders {
	switch sample.(type) {
	case PlanRegistered:
		return newTypedDecoder[PlanRegistered]()
	case SchemeAdopted:
		return newTypedDecoder[SchemeAdopted]()
	case ScorecardPublished:
		return newTypedDecoder[ScorecardPublished]()
	case TaskRegistered:
		return newTypedDecoder[TaskRegistered]()
	case TaskAmended:
		return newTypedDecoder[TaskAmended]()
	case UnitRegistered:
		return newTypedDecoder[UnitRegistered]()
	case UnitRenamed:
		return newTypedDecoder[UnitRenamed]()
	case UnitMerged:
		return newTypedDecoder[UnitMerged]()
	case IndicatorMeasured:
		return newTypedDecoder[IndicatorMeasured]()
	case ResponsibilityAssigned:
		return newTypedDecoder[ResponsibilityAssigned]()
	case ResponsibilityReassigned:
		return newTypedDecoder[ResponsibilityReassigned]()
	case ResponsibilityWithdrawn:
		return newTypedDecoder[ResponsibilityWithdrawn]()
	case MilestoneScheduled:
		return newTypedDecoder[MilestoneScheduled]()
	case MilestoneRescheduled:
		return newTypedDecoder[MilestoneRescheduled]()
	case ProgressReported:
		return newTypedDecoder[ProgressReported]()
	case ExtensionRequested:
		return newTypedDecoder[ExtensionRequested]()
	case ExtensionGranted:
		return newTypedDecoder[ExtensionGranted]()
	case ExtensionRefused:
		return newTypedDecoder[ExtensionRefused]()
	case DeadlineSlipped:
		return newTypedDecoder[DeadlineSlipped]()
	case CompletionClaimed:
		return newTypedDecoder[CompletionClaimed]()
	case CompletionVerified:
		return newTypedDecoder[CompletionVerified]()
	case CompletionRejected:
		return newTypedDecoder[CompletionRejected]()
	case FindingRecorded:
		return newTypedDecoder[FindingRecorded]()
	case RectificationDue:
		return newTypedDecoder[RectificationDue]()
	case RectificationCompleted:
		return newTypedDecoder[RectificationCompleted]()
	case ReminderRecorded:
		return newTypedDecoder[ReminderRecorded]()
	case ReminderDelivered:
		return newTypedDecoder[ReminderDelivered]()
	case WorkSentBack:
		return newTypedDecoder[WorkSentBack]()
	case CommentPosted:
		return newTypedDecoder[CommentPosted]()
	case PartSignedOff:
		return newTypedDecoder[PartSignedOff]()
	case RectificationVerified:
		return newTypedDecoder[RectificationVerified]()
	case RectificationRejected:
		return newTypedDecoder[RectificationRejected]()
	case RectificationSlipped:
		return newTypedDecoder[RectificationSlipped]()
	case AppealFiled:
		return newTypedDecoder[AppealFiled]()
	case AppealRuled:
		return newTypedDecoder[AppealRuled]()
	case BulletinIssued:
		return newTypedDecoder[BulletinIssued]()
	case UnitSplit:
		return newTypedDecoder[UnitSplit]()
	}
	return typedDecoders{}
}
