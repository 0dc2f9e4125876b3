// The part ids the shape generators tag their triangles with. The five categories ShapeNetPart
// has (airplane, car, chair, lamp, table) use its global part ids (0-49, the reference's
// index_start + local index), so a generated cloud trains and scores like a ShapeNetPart one;
// the eight others have parts of their own, numbered from 50 on (not ShapeNetPart parts: no
// model output stands for them). README "Generated part labels" lists the table.

export const AIRPLANE_PARTS = { body: 0, wing: 1, tail: 2, engine: 3 } as const;
export const CAR_PARTS = { roof: 8, hood: 9, wheel: 10, body: 11 } as const;
export const CHAIR_PARTS = { back: 12, seat: 13, leg: 14, arm: 15 } as const;
/** canopy (26, a hanging lamp's ceiling mount) is never generated: every generated lamp stands. */
export const LAMP_PARTS = { base: 24, shade: 25, canopy: 26, tube: 27 } as const;
export const TABLE_PARTS = { top: 47, leg: 48, support: 49 } as const;

export const BENCH_PARTS = { seat: 50, back: 51, leg: 52, arm: 53 } as const;
export const CABINET_PARTS = { body: 54, front: 55, handle: 56, shelf: 57 } as const;
export const DISPLAY_PARTS = { screen: 58, stand: 59 } as const;
export const LOUDSPEAKER_PARTS = { cabinet: 60, driver: 61, stand: 62 } as const;
export const RIFLE_PARTS = { receiver: 63, barrel: 64, stock: 65, magazine: 66, scope: 67 } as const;
export const SOFA_PARTS = { base: 68, seat: 69, back: 70, arm: 71 } as const;
export const TELEPHONE_PARTS = { body: 72, screen: 73, handset: 74 } as const;
export const WATERCRAFT_PARTS = { hull: 75, superstructure: 76, rig: 77 } as const;

/** Every generated category's parts, and the ShapeNetPart category index where it has one. */
export const GENERATED_PARTS = {
  airplane: { shapeNetPart: 0, parts: AIRPLANE_PARTS },
  bench: { shapeNetPart: null, parts: BENCH_PARTS },
  cabinet: { shapeNetPart: null, parts: CABINET_PARTS },
  car: { shapeNetPart: 3, parts: CAR_PARTS },
  chair: { shapeNetPart: 4, parts: CHAIR_PARTS },
  display: { shapeNetPart: null, parts: DISPLAY_PARTS },
  lamp: { shapeNetPart: 8, parts: LAMP_PARTS },
  loudspeaker: { shapeNetPart: null, parts: LOUDSPEAKER_PARTS },
  rifle: { shapeNetPart: null, parts: RIFLE_PARTS },
  sofa: { shapeNetPart: null, parts: SOFA_PARTS },
  table: { shapeNetPart: 15, parts: TABLE_PARTS },
  telephone: { shapeNetPart: null, parts: TELEPHONE_PARTS },
  watercraft: { shapeNetPart: null, parts: WATERCRAFT_PARTS },
} as const satisfies Record<string, { shapeNetPart: number | null; parts: Record<string, number> }>;
