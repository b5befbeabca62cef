// Package app builds bangfu's services once, over one ent client and one
// clock, and hands the set to everything that uses them: the GraphQL
// resolvers, the HTTP handlers and the server's scheduled jobs.
package app

import (
	"time"

	"bangfu/ent"
	"bangfu/internal/accounts"
	"bangfu/internal/agreements"
	"bangfu/internal/auth"
	"bangfu/internal/catalog"
	"bangfu/internal/clock"
	"bangfu/internal/evaluation"
	"bangfu/internal/evidence"
	"bangfu/internal/households"
	"bangfu/internal/incentives"
	"bangfu/internal/integrity"
	"bangfu/internal/live"
	"bangfu/internal/market"
	"bangfu/internal/monitoring"
	"bangfu/internal/translog"
)

// Config sets what the services need besides the database. Zero values
// take the defaults.
type Config struct {
	// Now is the clock every rule reads (default: the wall clock).
	Now clock.Clock
	// JWTKey signs access tokens: at least auth.MinKeyBytes bytes (default:
	// a throwaway key, for development and tests).
	JWTKey []byte
	// AccessTTL and RefreshTTL are the token lifetimes (default 15 minutes
	// and 30 days).
	AccessTTL, RefreshTTL time.Duration
	// CertificationValidity is how long a product certificate stays valid
	// (default market.DefaultValidity).
	CertificationValidity time.Duration
	// SignInRates bound how fast sign-ins may start (default
	// auth.DefaultRates).
	SignInRates auth.Rates
	// LogKey signs the transparency log's checkpoints: a note signer key
	// (translog.GenerateKey; default: a throwaway key).
	LogKey string
	// Live wakes subscriptions when what they watch has changed (default:
	// within this process; the server relays through PostgreSQL).
	Live *live.Hub
	// Evaluation sets the thresholds of verification visits and the slack
	// check (default: evaluation's defaults).
	Evaluation evaluation.Config
	// OrdersPlaced, if set, counts the orders each committed placement
	// made (metrics.Metrics.OrdersPlaced).
	OrdersPlaced func(orders int)
}

// Defaults of Config.
const (
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
)

// Token issuer and audience.
const (
	tokenIssuer   = "bangfu"
	tokenAudience = "bangfu-api"
)

// Services is the set of domain services over one database.
type Services struct {
	Client     *ent.Client
	Auth       *auth.Service
	Accounts   *accounts.Service
	Households *households.Service
	Market     *market.Service
	Catalog    *catalog.Searcher
	Agreements *agreements.Service
	Incentives *incentives.Service
	Monitoring *monitoring.Service
	Integrity  *integrity.Service
	Log        *translog.Log
	Evidence   *evidence.Builder
	Live       *live.Hub
	Evaluation *evaluation.Service
}

// New builds every service once.
func New(client *ent.Client, cfg Config) (*Services, error) {
	if cfg.Now == nil {
		cfg.Now = clock.Real
	}
	if cfg.JWTKey == nil {
		cfg.JWTKey = auth.RandomKey()
	}
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.SignInRates == (auth.Rates{}) {
		cfg.SignInRates = auth.DefaultRates
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.Live == nil {
		cfg.Live = live.NewLocal(nil)
	}
	// Hooks are installed before the client is shared (ent's Use is not
	// safe for concurrent use).
	client.Use(live.Hook(cfg.Live))
	tokens, err := auth.NewTokens(cfg.JWTKey, tokenIssuer, tokenAudience, cfg.AccessTTL)
	if err != nil {
		return nil, err
	}
	log, err := translog.New(client, cfg.LogKey, cfg.Now)
	if err != nil {
		return nil, err
	}
	mon := monitoring.New(client, cfg.Now)
	agr := agreements.New(client, cfg.Now)
	signIn := auth.New(client, cfg.Now, tokens, cfg.RefreshTTL, cfg.SignInRates, cfg.Live)
	return &Services{
		Client:     client,
		Auth:       signIn,
		Accounts:   accounts.New(client, cfg.Now, signIn),
		Households: households.New(client, cfg.Now, mon),
		Market:     market.New(client, cfg.Now, cfg.CertificationValidity, cfg.OrdersPlaced),
		Catalog:    catalog.New(client, cfg.Now),
		Agreements: agr,
		Incentives: incentives.New(client, cfg.Now),
		Monitoring: mon,
		Integrity:  integrity.New(client, cfg.Now),
		Log:        log,
		Evidence:   evidence.New(client, log, agr),
		Live:       cfg.Live,
		Evaluation: evaluation.New(client, cfg.Now, cfg.Evaluation),
	}, nil
}
