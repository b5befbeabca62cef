package dashboard_test

import (
	"testing"

	"bangfu/internal/store/storetest"
)

// TestMain drops the package's template databases after its tests.
func TestMain(m *testing.M) { storetest.Main(m) }
