package httpapi_test

import (
	"testing"

	"bangfu/internal/apitest"
)

// TestDemoRecognitionAndMonitoring checks what the demo shows for issue
// 6 through the API: a populated leaderboard, an organization's summary,
// open monitoring cases with deadlines, and household income.
func TestDemoRecognitionAndMonitoring(t *testing.T) {
	t.Parallel()
	srv := apitest.ServeDemo(t)
	tokens := tokensByRole(t, srv)

	var board struct {
		Leaderboard struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Rank         int
					Value        int64
					Name         string
					Organization *struct{ ID string }
				}
			}
		}
	}
	srv.Anonymous().Do(`{ leaderboard(scope: ORGANIZATION, year: 2026, first: 10) { totalCount edges { node { rank value name organization { id } } } } }`, nil).Must(t, &board)
	if board.Leaderboard.TotalCount < 3 || len(board.Leaderboard.Edges) == 0 {
		t.Fatalf("demo leaderboard: %+v", board.Leaderboard)
	}
	for i, e := range board.Leaderboard.Edges {
		if e.Node.Value <= 0 || e.Node.Organization == nil || (i > 0 && e.Node.Value > board.Leaderboard.Edges[i-1].Node.Value) {
			t.Fatalf("leaderboard out of order at %d: %+v", i, board.Leaderboard.Edges)
		}
	}
	top := board.Leaderboard.Edges[0].Node
	var summary struct {
		IncentiveSummary struct {
			Points int64
			Rank   *int
			Level  *struct{ Badge string }
			Awards []struct{ Badge string }
		}
	}
	srv.As(tokens["AUDITOR"]).Do(`query($id: ID!) { incentiveSummary(organizationId: $id, year: 2026) { points rank level { badge } awards { badge } } }`, map[string]any{"id": top.Organization.ID}).Must(t, &summary)
	if s := summary.IncentiveSummary; s.Points != top.Value || s.Rank == nil || *s.Rank != 1 {
		t.Fatalf("summary of the leader: %+v, board says %d points", s, top.Value)
	}
	if r := srv.Anonymous().Do(`query($id: ID!) { incentiveSummary(organizationId: $id, year: 2026) { points } }`, map[string]any{"id": top.Organization.ID}); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous summary: %s", r.Code())
	}

	var cases struct {
		MonitoringCases struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Status            string
					Overdue           bool
					IdentificationDue string
					DetectionReason   string
					Household         struct {
						Income struct {
							ProjectedPerCapitaFen int64
							ThresholdFen          *int64
							BelowThreshold        bool
						}
					}
				}
			}
		}
	}
	srv.As(tokens["COORDINATOR"]).Do(`{ monitoringCases(first: 50, where: {status: DETECTED}) { totalCount edges { node {
		status overdue identificationDue detectionReason household { income(year: 2026) { projectedPerCapitaFen thresholdFen belowThreshold } } } } } }`, nil).Must(t, &cases)
	if cases.MonitoringCases.TotalCount == 0 {
		t.Fatal("the demo has no detected monitoring cases")
	}
	for _, e := range cases.MonitoringCases.Edges {
		n := e.Node
		if n.DetectionReason == "" || n.IdentificationDue == "" || n.Household.Income.ThresholdFen == nil {
			t.Fatalf("detected case without reason, deadline or threshold: %+v", n)
		}
	}
	if r := srv.As(tokens["BUYER"]).Do(`{ monitoringCases(first: 5) { totalCount } }`, nil); r.Code() != "FORBIDDEN" {
		t.Errorf("a buyer reads monitoring cases: %s", r.Code())
	}

	// Public standards: pairings with their history, and thresholds.
	var public struct {
		Pairings struct {
			TotalCount int
			Edges      []struct{ Node struct{ ValidUntil *string } }
		}
		MonitoringThresholds struct{ TotalCount int }
	}
	srv.Anonymous().Do(`{ pairings(first: 100, where: {kind: EAST_WEST}) { totalCount edges { node { validUntil } } }
		monitoringThresholds(first: 5, where: {year: 2025}) { totalCount } }`, nil).Must(t, &public)
	ended := 0
	for _, e := range public.Pairings.Edges {
		if e.Node.ValidUntil != nil {
			ended++
		}
	}
	if public.Pairings.TotalCount == 0 || ended == 0 || ended == len(public.Pairings.Edges) || public.MonitoringThresholds.TotalCount == 0 {
		t.Errorf("pairings %d (%d ended), thresholds %d", public.Pairings.TotalCount, ended, public.MonitoringThresholds.TotalCount)
	}
}
