namespace VisionAgent.Core.Llm.Offline.Slots;

/// <summary>The slot types manifests can name.</summary>
public static class SlotLibrary
{
    public static IReadOnlyList<SlotType> All { get; } =
    [
        new AngleSlot(),
        new PixelSizeSlot(PixelAxis.Width),
        new PixelSizeSlot(PixelAxis.Height),
        new ScaleSlot(),
        new BoxSlot(),
        new ColorSlot(),
        GradedFactorSlot.Brightness,
        GradedFactorSlot.Contrast,
        GradedFactorSlot.Saturation,
        new ClassNamesSlot(),
        new PaintRequestSlot(PaintRequestPart.Prompt),
        new PaintRequestSlot(PaintRequestPart.Target),
    ];

    public static SlotType? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
