"J
data;/var/lib/groupsnap/snapshots/gs-20261203-101500-a1b2c3/dataª›Õ®3(ĞšÕ®30U