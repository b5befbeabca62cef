package live_test

import (
	"testing"

	"bangfu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
