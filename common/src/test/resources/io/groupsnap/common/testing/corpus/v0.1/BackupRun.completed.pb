
run-20261203-020000-0f1e2dorders (0€²À®38è¹À®3@ ‘Õ®3JS
gs-20261203-101600-d4e5f6&app-2 answered FREEZE without freezing è¹À®3(ğàÀ®3J+
gs-20261203-101500-a1b2c3 ø‡Á®3(È—Á®3Rgs-20261203-101500-a1b2c3Zoffsiteb:
db-1pgdata €€€(€€€0´	8´	@ ÎÁ®3H ¿Æ®3R4f2a9c1e`b<
app-2uploads €€€(€€€0´	8´	@ ÎÁ®3H ¿Æ®3R4f2a9c1e`Š!ğàÀ®3attempt 1 aborted: app-2Š ‘Õ®3every member exported’coord-1.example:7400˜