// WarrenCore
