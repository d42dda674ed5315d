package sqlstore

import "database/sql"

// RawSQL lets the external tests reach tables that have no store methods yet.
func RawSQL(db *DB) (*sql.DB, func(string) string) { return db.sql, db.q }
