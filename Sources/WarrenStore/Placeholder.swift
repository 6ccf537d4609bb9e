// WarrenStore
