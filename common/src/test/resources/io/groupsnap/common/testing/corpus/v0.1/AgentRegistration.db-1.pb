
db-1db-1.example:7401
pgdatabtrfs/srv/pgdata
walfsfreeze/srv/wal"
postgresexec*

roledb*
zoneeu-120.1.08 ´ù›®3@àÔJ
offsiteresticP