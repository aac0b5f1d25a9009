package steps

// all lists every stage a config may name, in the order data usually
// flows. A stage package exports its Config type, a DefaultConfig function
// and New(Config) (winnow.Stage, error); it does not import this package.
// Add a stage here with one entry.
var all = []Spec{}
