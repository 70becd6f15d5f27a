"
data