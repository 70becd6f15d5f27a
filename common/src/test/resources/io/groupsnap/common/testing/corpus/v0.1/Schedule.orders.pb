
orders	0 2 * * *Europe/Berlin à§0€²À®3:run-20261203-020000-0f1e2d@HPX ÑÛ­¡3`€²À®3hp