package domain

import (
	"bytes"
	"encoding/gob"
)

// Aggregates encode with encoding/gob, version included, so read models that
// keep folded aggregates can snapshot them and carry on folding after a
// restore. The encoding is for snapshots a process writes and reads itself,
// not an exchange format: the event log is the durable truth.

type snapshotOf[T any] struct {
	State   T
	Version uint64
}

func encodeSnapshot[T any](state T, version uint64) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(snapshotOf[T]{State: state, Version: version}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeSnapshot[T any](b []byte) (T, uint64, error) {
	var s snapshotOf[T]
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s)
	return s.State, s.Version, err
}

type (
	planState       Plan
	taskState       Task
	unitState       Unit
	obligationState Obligation
)

// GobEncode implements gob.GobEncoder.
func (p *Plan) GobEncode() ([]byte, error) { return encodeSnapshot(planState(*p), p.version) }

// GobDecode implements gob.GobDecoder.
func (p *Plan) GobDecode(b []byte) error {
	s, v, err := decodeSnapshot[planState](b)
	*p = Plan(s)
	p.version = v
	return err
}

// GobEncode implements gob.GobEncoder.
func (t *Task) GobEncode() ([]byte, error) { return encodeSnapshot(taskState(*t), t.version) }

// GobDecode implements gob.GobDecoder.
func (t *Task) GobDecode(b []byte) error {
	s, v, err := decodeSnapshot[taskState](b)
	*t = Task(s)
	t.version = v
	return err
}

// GobEncode implements gob.GobEncoder.
func (u *Unit) GobEncode() ([]byte, error) { return encodeSnapshot(unitState(*u), u.version) }

// GobDecode implements gob.GobDecoder.
func (u *Unit) GobDecode(b []byte) error {
	s, v, err := decodeSnapshot[unitState](b)
	*u = Unit(s)
	u.version = v
	return err
}

// GobEncode implements gob.GobEncoder.
func (o *Obligation) GobEncode() ([]byte, error) {
	return encodeSnapshot(obligationState(*o), o.version)
}

// GobDecode implements gob.GobDecoder.
func (o *Obligation) GobDecode(b []byte) error {
	s, v, err := decodeSnapshot[obligationState](b)
	*o = Obligation(s)
	o.version = v
	return err
}

// EncodeObligation writes o to enc as one value of a gob stream: its state
// and its version. Obligations written one after another to the same
// encoder share one description of their type, where each GobEncode
// begins a stream of its own with that description; a read model that
// snapshots hundreds of obligations writes them this way.
func EncodeObligation(enc *gob.Encoder, o *Obligation) error {
	return enc.Encode(snapshotOf[obligationState]{State: obligationState(*o), Version: o.version})
}

// DecodeObligation reads into o what EncodeObligation wrote. On an error
// o is unchanged.
func DecodeObligation(dec *gob.Decoder, o *Obligation) error {
	var s snapshotOf[obligationState]
	if err := dec.Decode(&s); err != nil {
		return err
	}
	*o = Obligation(s.State)
	o.version = s.Version
	return nil
}

// GobEncode implements gob.GobEncoder with the "YYYY-MM-DD" form.
func (d Date) GobEncode() ([]byte, error) { return d.MarshalText() }

// GobDecode implements gob.GobDecoder.
func (d *Date) GobDecode(b []byte) error { return d.UnmarshalText(b) }

// GobEncode implements gob.GobEncoder with the "YYYY-MM" form.
func (ym YearMonth) GobEncode() ([]byte, error) { return ym.MarshalText() }

// GobDecode implements gob.GobDecoder.
func (ym *YearMonth) GobDecode(b []byte) error { return ym.UnmarshalText(b) }
