package relance

import "time"

// LoginPolicy says how failed logins lock out a subject (an account, or a client address): the
// first Free failures in a row cost nothing, then each failure locks the subject for First,
// doubled at each further failure, up to Max. While locked, no password is even checked, so
// the right one cannot end the lock early.
type LoginPolicy struct {
	Free  int           // failures in a row allowed before the first lock
	First time.Duration // the lock after failure number Free
	Max   time.Duration // the longest lock
}

// LockFor returns how long a subject stays locked after its failures-th failure in a row; 0 while
// failures is below Free.
func (p LoginPolicy) LockFor(failures int) time.Duration {
	if failures < p.Free || p.First <= 0 {
		return 0
	}
	lock := p.First
	for i := p.Free; i < failures && lock < p.Max; i++ {
		lock *= 2
	}
	return min(lock, p.Max)
}
