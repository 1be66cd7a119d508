// Temporary until the training branch lands DPSGDFault in TacitTraining.
enum DPSGDFault: Hashable, Sendable { case noiseDisabled }
