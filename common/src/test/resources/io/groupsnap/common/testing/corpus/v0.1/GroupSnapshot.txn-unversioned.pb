
gs-20261120-080000-99aa00 ‘Õ®3 ¢¡Õ®3(2coord-1.example:7400:i
db-1pgdata"=/var/lib/groupsnap/snapshots/gs-20261203-101500-a1b2c3/pgdata(ĞšÕ®30U8ª›Õ®3@ˆÕ®3H¸:c
db-1wal":/var/lib/groupsnap/snapshots/gs-20261203-101500-a1b2c3/wal(ĞšÕ®30U8ª›Õ®3@ˆÕ®3H¸:‰
app-2uploads">/var/lib/groupsnap/snapshots/gs-20261203-101500-a1b2c3/uploads(ĞšÕ®30U8ª›Õ®3@ˆÕ®3H¸Z
app-2uploads 0 ÉîÆ®3@ÖHˆPŒXˆ'`˜ux‚batch-9