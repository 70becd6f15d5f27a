†ë’ùÆ3	ops-aliceoperator"CreateGroupSnapshot*
grouporders0Bcoord-1.example:7400Jgs-20261203-101500-a1b2c3