
db-1db-1.example:7401 ูป๔ญ3  ‘ีฎ3