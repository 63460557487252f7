package memory_test

import (
	"testing"

	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/eventstore/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store { return memory.New() }, storetest.DensePositions())
}
