package store

// StmtCacheSize is the statement cache's bound, for its tests.
const StmtCacheSize = stmtCacheSize
