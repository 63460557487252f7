package bolt

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Record flags (the first uvarint of a record body). The common ones fit
// in the first 7 bits, so flags usually take one byte.
const (
	flagCausationMask   = 0b11 // bits 0-1: causation mode
	flagCorrelationMask = 0b11 // bits 2-3: correlation mode
	flagCorrelationShft = 2
	flagPrevZero        = 1 << 4 // prev hash is all zero and omitted
	flagCompressed      = 1 << 5 // payload coded against the type's dictionary
	flagRecordedZero    = 1 << 6 // RecordedAt is the zero time and omitted
	flagEffectiveZero   = 1 << 7 // EffectiveAt is the zero time and omitted
	flagPacked          = 1 << 8 // payload packed: uvarint shape ID, then values (format 4)
	flagsKnown          = 1<<9 - 1
)

// payloadForm is how a record stores its payload.
type payloadForm uint8

const (
	formPlain      payloadForm = iota // the payload's bytes
	formCompressed                    // coded against the type's dictionary (codec.go)
	formPacked                        // shape ID and values (payload.go)
)

// UUID modes for causation and correlation IDs.
const (
	uuidZero      = 0 // all-zero, omitted
	uuidLiteral   = 1 // 16 bytes follow
	uuidSamePrev  = 2 // same as the previous record's value (same checkpoint group)
	uuidCausation = 3 // correlation only: equal to this record's causation ID
)

// Time modes (low 3 bits of an encoded time).
const (
	timeRaw = 4 // 8-byte big-endian Unix nanoseconds follow
)

// pow1000[k] is the unit of time mode k: ns, µs, ms, s.
var pow1000 = [4]int64{1, 1e3, 1e6, 1e9}

// errCorrupt marks a record or table that does not decode.
var errCorrupt = fmt.Errorf("corrupt ledger file: %w", eventstore.ErrDamaged)

// deltaState is what a record may refer back to: the previous record of the
// same checkpoint group. It is reset to zero at every checkpoint, so any
// record can be decoded by starting at its checkpoint.
type deltaState struct {
	recorded    int64 // Unix ns of the last non-zero RecordedAt
	causation   uuid.UUID
	correlation uuid.UUID
}

// ids holds a record's interned string IDs.
type ids struct {
	stream, typ, actor uint32
}

// appendBody encodes e (already sealed) as a record body and advances st.
// payload is e.Payload as stored, in the given form.
func appendBody(dst []byte, e *domain.Event, n ids, st *deltaState, payload []byte, form payloadForm) []byte {
	var flags uint64
	switch form {
	case formCompressed:
		flags |= flagCompressed
	case formPacked:
		flags |= flagPacked
	}
	causMode := uuidLiteral
	switch {
	case e.CausationID == uuid.Nil:
		causMode = uuidZero
	case e.CausationID == st.causation:
		causMode = uuidSamePrev
	}
	corrMode := uuidLiteral
	switch {
	case e.CorrelationID == uuid.Nil:
		corrMode = uuidZero
	case e.CorrelationID == e.CausationID:
		corrMode = uuidCausation
	case e.CorrelationID == st.correlation:
		corrMode = uuidSamePrev
	}
	flags |= uint64(causMode) | uint64(corrMode)<<flagCorrelationShft
	if e.PrevHash.IsZero() {
		flags |= flagPrevZero
	}
	recZero, effZero := e.RecordedAt.IsZero(), e.EffectiveAt.IsZero()
	if recZero {
		flags |= flagRecordedZero
	}
	if effZero {
		flags |= flagEffectiveZero
	}
	dst = binary.AppendUvarint(dst, flags)
	dst = append(dst, e.ID[:]...)
	dst = binary.AppendUvarint(dst, uint64(n.stream))
	dst = binary.AppendUvarint(dst, e.Version)
	dst = binary.AppendUvarint(dst, uint64(n.typ))
	dst = binary.AppendUvarint(dst, uint64(e.SchemaVersion))
	var rec int64
	if !recZero {
		rec = e.RecordedAt.UnixNano()
		dst = appendTime(dst, rec, st.recorded)
		st.recorded = rec
	}
	if !effZero {
		dst = appendTime(dst, e.EffectiveAt.UnixNano(), rec)
	}
	dst = binary.AppendUvarint(dst, uint64(n.actor))
	if causMode == uuidLiteral {
		dst = append(dst, e.CausationID[:]...)
	}
	if corrMode == uuidLiteral {
		dst = append(dst, e.CorrelationID[:]...)
	}
	st.causation, st.correlation = e.CausationID, e.CorrelationID
	if !e.PrevHash.IsZero() {
		dst = append(dst, e.PrevHash[:]...)
	}
	dst = append(dst, e.Hash[:]...)
	return append(dst, payload...)
}

// appendTime encodes t relative to base: the difference in the coarsest of
// ns, µs, ms, s that divides it exactly, zigzag-coded, shifted left by three
// with the unit in the low bits; or, when that does not fit, mode timeRaw
// and the absolute value.
func appendTime(dst []byte, t, base int64) []byte {
	d := t - base
	if (base > 0 && t < math.MinInt64+base) || (base < 0 && t > math.MaxInt64+base) {
		return appendRawTime(dst, t) // t - base overflows
	}
	k := 3
	for k > 0 && d%pow1000[k] != 0 {
		k--
	}
	q := d / pow1000[k]
	zz := uint64(q<<1) ^ uint64(q>>63)
	if zz >= 1<<61 {
		return appendRawTime(dst, t)
	}
	return binary.AppendUvarint(dst, zz<<3|uint64(k))
}

func appendRawTime(dst []byte, t int64) []byte {
	dst = append(dst, timeRaw)
	return binary.BigEndian.AppendUint64(dst, uint64(t))
}

// resolver turns interned IDs back into strings.
type resolver interface {
	name(kind byte, id uint32) (string, error)
	// payloadCodecs returns the store's cache of payload codecs and shapes.
	payloadCodecs() *codecs
}

// bodyInfo is what decodeBody reports beyond the event.
type bodyInfo struct {
	typ        uint32 // type ID
	compressed bool   // e.Payload is still coded against typ's dictionary
	packed     bool   // e.Payload is still packed (shape ID, then values)
}

// decodeBody decodes a record body into e (all fields but Position) and
// advances st. e.Payload aliases b and may still be compressed (see info).
// With res nil only st is advanced and e is left untouched (used to skip
// records).
func decodeBody(b []byte, st *deltaState, res resolver, e *domain.Event) (info bodyInfo, err error) {
	i := 0
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b[i:])
		if n <= 0 {
			return 0, false
		}
		i += n
		return v, true
	}
	flags, ok := uv()
	if !ok || flags&^flagsKnown != 0 {
		return info, fmt.Errorf("%w: record flags", errCorrupt)
	}
	if len(b)-i < 16 {
		return info, fmt.Errorf("%w: record too short", errCorrupt)
	}
	idAt := i
	i += 16
	sid, ok1 := uv()
	version, ok2 := uv()
	tid, ok3 := uv()
	schema, ok4 := uv()
	if !ok1 || !ok2 || !ok3 || !ok4 || sid > math.MaxUint32 || tid > math.MaxUint32 || schema > math.MaxUint16 {
		return info, fmt.Errorf("%w: record header", errCorrupt)
	}
	var rec, eff int64
	recZero, effZero := flags&flagRecordedZero != 0, flags&flagEffectiveZero != 0
	if !recZero {
		t, n, err := readTime(b[i:], st.recorded)
		if err != nil {
			return info, err
		}
		i += n
		rec = t
		st.recorded = t
	}
	if !effZero {
		t, n, err := readTime(b[i:], rec)
		if err != nil {
			return info, err
		}
		i += n
		eff = t
	}
	aid, ok := uv()
	if !ok || aid > math.MaxUint32 {
		return info, fmt.Errorf("%w: record actor", errCorrupt)
	}
	var caus, corr uuid.UUID
	switch flags & flagCausationMask {
	case uuidLiteral:
		if len(b)-i < 16 {
			return info, fmt.Errorf("%w: record too short", errCorrupt)
		}
		copy(caus[:], b[i:])
		i += 16
	case uuidSamePrev:
		caus = st.causation
	case uuidCausation:
		return info, fmt.Errorf("%w: causation mode", errCorrupt)
	}
	switch flags >> flagCorrelationShft & flagCorrelationMask {
	case uuidLiteral:
		if len(b)-i < 16 {
			return info, fmt.Errorf("%w: record too short", errCorrupt)
		}
		copy(corr[:], b[i:])
		i += 16
	case uuidSamePrev:
		corr = st.correlation
	case uuidCausation:
		corr = caus
	}
	st.causation, st.correlation = caus, corr
	hashes := domain.HashSize
	if flags&flagPrevZero == 0 {
		hashes += domain.HashSize
	}
	if len(b)-i < hashes {
		return info, fmt.Errorf("%w: record too short", errCorrupt)
	}
	info = bodyInfo{typ: uint32(tid), compressed: flags&flagCompressed != 0, packed: flags&flagPacked != 0}
	if info.compressed && info.packed {
		return info, fmt.Errorf("%w: record payload both compressed and packed", errCorrupt)
	}
	if res == nil {
		return info, nil
	}
	if e.Stream, err = res.name(kindStream, uint32(sid)); err != nil {
		return info, err
	}
	if e.Type, err = res.name(kindType, uint32(tid)); err != nil {
		return info, err
	}
	if e.Actor, err = res.name(kindActor, uint32(aid)); err != nil {
		return info, err
	}
	copy(e.ID[:], b[idAt:])
	e.Version = version
	e.SchemaVersion = uint16(schema)
	e.RecordedAt = unixTime(rec, recZero)
	e.EffectiveAt = unixTime(eff, effZero)
	e.CausationID, e.CorrelationID = caus, corr
	if flags&flagPrevZero == 0 {
		copy(e.PrevHash[:], b[i:])
		i += domain.HashSize
	} else {
		e.PrevHash = domain.Hash{}
	}
	copy(e.Hash[:], b[i:])
	i += domain.HashSize
	e.Payload = b[i:len(b):len(b)]
	return info, nil
}

// recordID returns the event ID of a record body without decoding the rest.
func recordID(b []byte) (uuid.UUID, error) {
	var id uuid.UUID
	_, n := binary.Uvarint(b)
	if n <= 0 || len(b)-n < 16 {
		return id, fmt.Errorf("%w: record too short", errCorrupt)
	}
	copy(id[:], b[n:])
	return id, nil
}

func readTime(b []byte, base int64) (int64, int, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, 0, fmt.Errorf("%w: record time", errCorrupt)
	}
	mode := v & 7
	switch {
	case mode == timeRaw && v == timeRaw:
		if len(b)-n < 8 {
			return 0, 0, fmt.Errorf("%w: record time", errCorrupt)
		}
		return int64(binary.BigEndian.Uint64(b[n:])), n + 8, nil
	case mode < 4:
		zz := v >> 3
		q := int64(zz>>1) ^ -int64(zz&1)
		return base + q*pow1000[mode], n, nil
	}
	return 0, 0, fmt.Errorf("%w: record time mode %d", errCorrupt, mode)
}

// unixTime is the inverse of UnixNano for stored times, in UTC. The zero
// time is stored as a flag because its UnixNano is not meaningful.
func unixTime(ns int64, zero bool) time.Time {
	if zero {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// normalizeTime returns t as the store gives it back: UTC, without a
// monotonic reading, the zero time unchanged.
func normalizeTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano()).UTC()
}
