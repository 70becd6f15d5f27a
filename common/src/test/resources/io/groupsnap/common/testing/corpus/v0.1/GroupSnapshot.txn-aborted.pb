
gs-20261203-101600-d4e5f6€æØ®3 ìÙ®3(2coord-1.example:7400:
db-1pgdata:6
app-2uploadsR"fsfreeze /srv/uploads: device busyXˆ'`˜uj&app-2 answered FREEZE without freezingrapp-2ˆ 