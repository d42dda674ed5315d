package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/liveserver/liveserver/internal/domain"
)

const userColumns = `id, email, name, role, password_hash, disabled, created_at, updated_at`

func scanUser(row rowScanner) (*domain.User, error) {
	var u domain.User
	var role string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.Role = domain.Role(role)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// CreateUser inserts u. The first user of the instance claims the 'first_user' flag in the same
// transaction; with promoteFirst that user becomes ADMIN. The flag's primary key makes the claim
// race-free: of two concurrent first registrations exactly one wins.
func (db *DB) CreateUser(ctx context.Context, u domain.User, promoteFirst bool) (*domain.User, error) {
	u.Email = strings.ToLower(u.Email)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `INSERT INTO instance_flags (name, created_at) VALUES ('first_user', ?) ON CONFLICT DO NOTHING`, u.CreatedAt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 && promoteFirst {
			u.Role = domain.RoleAdmin
		}
		_, err = db.exec(ctx, tx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, u.Name, string(u.Role), u.PasswordHash, u.Disabled, u.CreatedAt, u.UpdatedAt)
		return err
	})
	if isUniqueViolation(err) {
		return nil, domain.Errorf(domain.EEmailTaken, "An account with this e-mail already exists.")
	}
	if err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

func (db *DB) UserByID(ctx context.Context, id string) (*domain.User, error) {
	u, err := scanUser(db.queryRow(ctx, db.x, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, translate(err, "user")
}

func (db *DB) UserByEmail(ctx context.Context, email string) (*domain.User, error) {
	u, err := scanUser(db.queryRow(ctx, db.x, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.ToLower(email)))
	return u, translate(err, "user")
}

func (db *DB) UpdateUser(ctx context.Context, u *domain.User) error {
	res, err := db.exec(ctx, db.x, `UPDATE users SET name = ?, role = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE id = ?`,
		u.Name, string(u.Role), u.PasswordHash, u.Disabled, u.UpdatedAt, u.ID)
	return mustAffect(res, err, "user")
}

// mustAffect turns "no row changed" into ENotFound.
func mustAffect(res sql.Result, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err, what)
	}
	if n == 0 {
		return translate(sql.ErrNoRows, what)
	}
	return nil
}
