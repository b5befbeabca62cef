package market

// ThroughEnt makes s place orders through ent's builders (placeIn), as it
// does on SQLite, whatever the database.
func ThroughEnt(s *Service) *Service {
	s.oneStatement = false
	return s
}

// PlacesInOneStatement tells whether s places an order in one statement.
func PlacesInOneStatement(s *Service) bool { return s.oneStatement }
