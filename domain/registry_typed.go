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
}

// newTypedDecoder returns the decoder of payload type T. It reads a payload
// in encoding/json's own form with the canonical reader (registry_fast.go)
// when T's fields allow it, and any other payload, or every payload of a
// type the canonical reader does not handle, the way payloadDecoder's
// Unmarshal does (same options: none; the same check for trailing bytes).
// Both decode into a slot kept for reuse instead of a fresh reflect.New
// and a fresh sonic decoder, so a payload costs one copy of its strings
// (the canonical reader's; sonic copies the whole input) and the boxing of
// the value into EventData. No decoded string points into payload. The slot's value is zeroed before each decode, so
// no field of one payload survives into the next, and it is never handed
// out: the caller gets a copy.
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
	return func(payload []byte) (EventData, error) {
		s := pool.Get().(*typedSlot[T])
		var zero T
		s.val = zero
		if canon != nil && readCanonical(canon, payload, unsafe.Pointer(&s.val), &s.canon) {
			v := s.val
			s.val = zero
			pool.Put(s)
			return v, nil
		}
		s.val = zero // a partial canonical read
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
	return func(sh *packed.Shape, vals []byte, decompress Decompress) (EventData, bool) {
		prog := programFor(sh, key, canon)
		if prog == noProgram {
			return nil, false
		}
		s := pool.Get().(*typedSlot[T])
		var zero T
		s.val = zero
		ok := prog.run(unsafe.Pointer(&s.val), vals, decompress, &s.canon)
		v := s.val
		s.val = zero
		pool.Put(s)
		return v, ok
	}
}

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
