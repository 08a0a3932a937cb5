(component (bogus))
